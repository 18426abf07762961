# Copies the chart archives this collection image carries (/tmp/*.tgz) into the platform's
# extensions dir (CHARTS_DIR, default /extensions), or removes them again (ACTION=remove).
set -eu
bb=/bin/busybox
dst="${CHARTS_DIR:-/extensions}"
action="${ACTION:-copy}"
$bb mkdir -p "$dst"
for chart in /tmp/*.tgz; do
  [ -e "$chart" ] || continue
  name=$($bb basename "$chart")
  case "$action" in
    copy) $bb cp "$chart" "$dst/$name"; echo "copied $name" ;;
    remove) $bb rm -f "$dst/$name"; echo "removed $name" ;;
    *) echo "base-charts-manager: unknown ACTION '$action' (copy|remove)" >&2; exit 2 ;;
  esac
done
