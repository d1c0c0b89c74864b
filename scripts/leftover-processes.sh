#!/usr/bin/env bash
# Fails, naming them, if processes of this checkout are still running: anything whose working
# directory or command line lies under the checkout, besides this script and the processes that
# called it. `npm test` ends everything it and its tests start, so after it nothing should be
# left; .ci/run calls this after each pass. Leftovers are listed; with --stop they are also
# stopped (SIGTERM, then SIGKILL), so the next pass starts clean. In a development checkout,
# where `npm start` or `npm run services -- up` keeps servers running, run it without --stop.
set -uo pipefail
stop=false
case "${1:-}" in
  --stop) stop=true ;;
  "") ;;
  *) echo "Usage: $0 [--stop]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd -P)"

declare -A mine=()
pid=$$
while [[ -n "$pid" && "$pid" != 0 ]]; do
  mine[$pid]=1
  pid="$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)"
done

leftovers=()
for dir in /proc/[0-9]*; do
  pid="${dir#/proc/}"
  [[ -n "${mine[$pid]:-}" ]] && continue
  # Threads of our own pipeline (awk, tr above) are gone by now; zombies hold nothing.
  state="$(awk '/^State:/ { print $2 }' "$dir/status" 2>/dev/null)" || continue
  [[ -z "$state" || "$state" == Z ]] && continue
  cwd="$(readlink "$dir/cwd" 2>/dev/null)" || cwd=""
  cmd="$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null)" || cmd=""
  if [[ "$cwd" == "$root" || "$cwd" == "$root"/* || "$cmd" == *"$root"* ]]; then
    leftovers+=("$pid")
  fi
done

[[ ${#leftovers[@]} -eq 0 ]] && exit 0
echo "Processes of $root were still running after the tests:" >&2
for pid in "${leftovers[@]}"; do
  echo "  $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)" >&2
done
$stop || exit 1
kill -TERM "${leftovers[@]}" 2>/dev/null
for _ in $(seq 1 20); do
  alive=0
  for pid in "${leftovers[@]}"; do
    # An ended process its parent has not reaped yet is a zombie: gone for our purpose.
    state="$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)"
    [[ -n "$state" && "$state" != Z ]] && alive=1
  done
  [[ $alive -eq 0 ]] && break
  sleep 0.5
done
kill -KILL "${leftovers[@]}" 2>/dev/null
exit 1
