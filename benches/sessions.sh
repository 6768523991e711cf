#!/usr/bin/env bash
# Many Claude Code sessions at once: N render loops, each rendering every INTERVAL seconds
# for DURATION seconds (Claude Code's cadence is 300 ms), all on one repository and one
# transcript. Prints the total CPU used by everything they started — detached cache
# refreshers included (the loops run in their own PID namespace, whose init reaps the
# refreshers, so their CPU is counted) — as a percentage of one core.
#
#   benches/sessions.sh BLINKLINE PAYLOAD REPO [N=16] [DURATION=20] [INTERVAL=0.3] [CONFIG]
set -euo pipefail
bin=$(realpath "$1"); payload=$(realpath "$2"); repo=$(realpath "$3")
n=${4:-16}; duration=${5:-20}; interval=${6:-0.3}; config=${7:-}
# The config goes where blinkline looks for it, so renders run without arguments, as
# Claude Code runs them.
xdg=$(mktemp -d)
mkdir -p "$xdg/blinkline"
[ -n "$config" ] && cp "$config" "$xdg/blinkline/config.toml"
export XDG_CONFIG_HOME=$xdg
# The git watcher stays on while renders read its record; once the loops stop it must end
# soon, so its CPU is counted in full (it runs in the loops' PID namespace).
export BLINKLINE_GIT_WATCH_IDLE_MS=${BLINKLINE_GIT_WATCH_IDLE_MS:-2000}
loops=$(mktemp)
cat > "$loops" <<SCRIPT
cd "$repo"
exec 3<> <(:)
end=\$((SECONDS + $duration))
for i in \$(seq $n); do
  # read -t on an empty pipe sleeps without starting a process (sleep(1) would cost more
  # CPU than a render and drown the figure).
  ( exec 3<> <(:); while [ \$SECONDS -lt \$end ]; do "$bin" < "$payload" > /dev/null; read -t $interval -u 3 || true; done ) &
done
wait
# Let refreshers (and the git watcher) that are still running finish, so their CPU is
# counted.
while pgrep -f "__refresh" > /dev/null; do read -t 0.1 -u 3 || true; done
SCRIPT
out=$( { /usr/bin/time -f "%U %S %e" unshare --fork --pid --mount-proc bash "$loops" > /dev/null; } 2>&1 | tail -1)
rm -rf "$loops" "$xdg"
read -r user sys wall <<<"$out"
renders=$(python3 -c "print(int($n * $duration / ($interval + 0.004)))")
python3 -c "
u, s, w = $user, $sys, $wall
print(f'{$n} sessions x {$duration}s every {$interval}s (~{$renders} renders): cpu {u + s:.2f}s over {w:.1f}s wall = {100 * (u + s) / w:.2f}% of one core')
"
