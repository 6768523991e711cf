#!/usr/bin/env bash
# Whole-process prompt latency: `blinkline prompt` against `starship prompt` with an
# equivalent configuration (benches/starship-prompt.toml), interleaved in one hyperfine run.
#
#   benches/prompt.sh [REPO_DIR] [BLINKLINE] [STARSHIP]
#
# REPO_DIR: the directory the prompt is drawn in (default: this repository); BLINKLINE
# defaults to target/release/blinkline, STARSHIP to `starship` on PATH (skipped if absent).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$here}"
bl="${2:-$here/target/release/blinkline}"
ss="${3:-$(command -v starship || true)}"
flags="--status 1 --pipestatus '0 1' --duration 3200 --jobs 1"
cmds=("$bl prompt --shell zsh $flags")
if [[ -n $ss ]]; then
  cmds+=("$ss prompt --status 1 --pipestatus '0 1' --cmd-duration 3200 --jobs 1")
  export STARSHIP_CONFIG="$here/benches/starship-prompt.toml" STARSHIP_SHELL=zsh
else
  echo "starship not found: timing blinkline alone" >&2
fi
cd "$dir"
hyperfine -N --warmup 50 --runs "${RUNS:-500}" --export-json "${JSON:-/dev/null}" "${cmds[@]}"
