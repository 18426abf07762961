# Test double of base-installer's run.py (ACTION=copy|remove): /kaapana/tmp/<dir> -> /kaapana/mounted/<dir>.
set -eu
bb=/bin/busybox
src=/kaapana/tmp
dst="${MOUNTED_DIR:-/kaapana/mounted}"
action="${ACTION:-copy}"
echo "base-installer (test double): ${action} ${src} -> ${dst}"
case "$action" in
  copy) $bb mkdir -p "$dst" && $bb cp -R "$src/." "$dst/" ;;
  remove) (cd "$src" && $bb find . -type f) | while read -r f; do $bb rm -f "$dst/$f"; done ;;
  *) echo "unknown ACTION '$action' (copy|remove)" >&2; exit 2 ;;
esac
