# Installs (ACTION=copy) or removes (ACTION=remove) the DAG files that an extension's DAG image
# placed under /tmp/ into the platform's workflow dir mounted at /workflows.
set -eu
bb=/bin/busybox
src=/tmp
dst="${WORKFLOWS_DIR:-/workflows}"
action="${ACTION:-copy}"
echo "dag-installer: ${action} ${src} -> ${dst}"
case "$action" in
  copy)
    $bb mkdir -p "$dst"
    $bb cp -R "$src/." "$dst/"
    ;;
  remove)
    (cd "$src" && $bb find . -type f) | while read -r f; do $bb rm -f "$dst/$f"; done
    ;;
  *)
    echo "dag-installer: unknown ACTION '$action' (copy|remove)" >&2
    exit 2
    ;;
esac
echo "dag-installer: done"
