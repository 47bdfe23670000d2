#!/usr/bin/env bash
# The include graph of src/ has no upward arrow: each folder includes only its own headers and
# those of the folders below it (README "Layout"). Prints every offending include; exit 1 if any.
#   tests/include_layers.sh [SRC_DIR]
set -euo pipefail
src="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../src" && pwd)}"
declare -A allowed=(
  [util]=""
  [protocol]="util"
  [processor]="protocol util"
  [aws]="util"
  [leases]="aws processor protocol util"
  [redis]="util"
  [activeset]="redis aws processor protocol util"
  [app]="activeset redis leases aws processor protocol util"
  [serve]="app activeset redis processor protocol util"
)
bad=0
for folder in "${!allowed[@]}"; do [ -d "$src/$folder" ] || { echo "include_layers: src/$folder is gone" >&2; bad=1; }; done
for dir in "$src"/*/; do
  folder="$(basename "$dir")"
  [ -n "${allowed[$folder]+x}" ] || { echo "include_layers: no rule for src/$folder" >&2; bad=1; continue; }
  # "file:target" for every include of another folder's header, then those not allowed.
  offending="$(grep -rHo '#include "[a-z_]*/' "$dir" | sed -E 's/:#include "(.*)\/$/:\1/' |
    awk -F: -v self="$folder" -v ok=" ${allowed[$folder]} " '$2 != self && index(ok, " " $2 " ") == 0')"
  if [ -n "$offending" ]; then
    sed -E "s|^$src/||; s|:(.*)| includes \1/: $folder may include only: ${allowed[$folder]:-(nothing)}|" <<<"$offending"
    bad=1
  fi
done
exit "$bad"
