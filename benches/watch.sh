#!/usr/bin/env bash
# Watch-mode costs: CPU of `watch --interval 1s` when nothing changes (summed over its
# threads from /proc/PID/task/*/schedstat), and resident memory over FRAMES frames at a
# 0 ms interval (JSON frames, which change every frame, into a pipe).
#
#   benches/watch.sh [BLINKLINE] [SECONDS] [FRAMES]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bl="${1:-$here/target/release/blinkline}"
secs="${2:-60}"
frames="${3:-1000000}"

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }

"$bl" watch --sample --interval 1s >/dev/null &
idle=$!
"$bl" watch --sample --format json --widgets model,context,cost,time --interval 0 --frames "$frames" --metrics 2>/tmp/blinkline-watch-metrics.$$ | cat >/dev/null &
sleep 0.5
busy=$(pgrep -n -f -- "--frames $frames" || true)
start_cpu=$(cpu_ns "$idle")
echo "rss (KiB) of the 0 ms watcher every 0.5 s while it runs:"
samples=()
for ((t = 0; t < secs * 2; t++)); do
  if [[ -n $busy && -d /proc/$busy ]]; then samples+=("$(rss_kb "$busy")"); fi
  sleep 0.5
done
end_cpu=$(cpu_ns "$idle")
kill -TERM "$idle"
echo "  ${samples[*]}"
wait || true
cat /tmp/blinkline-watch-metrics.$$; rm -f /tmp/blinkline-watch-metrics.$$
awk -v ns=$((end_cpu - start_cpu)) -v s="$secs" \
  'BEGIN {printf "watch --interval 1s: %.3f ms CPU in %d s = %.4f%% of one core\n", ns / 1e6, s, ns / 1e7 / s}'
