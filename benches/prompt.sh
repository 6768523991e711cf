#!/usr/bin/env bash
# Whole-process prompt latency: `blinkline prompt` against `starship prompt` with an
# equivalent configuration (benches/starship-prompt.toml), run alternately (interleave.py).
#
#   benches/prompt.sh [REPO_DIR] [BLINKLINE] [STARSHIP]
#
# REPO_DIR: where the prompt is drawn (default: this repository); BLINKLINE defaults to
# target/release/blinkline (`make release`: static musl when that target is installed),
# STARSHIP to `starship` on PATH. Without starship, blinkline is timed with hyperfine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$here}"
bl="${2:-$here/target/release/blinkline}"
ss="${3:-$(command -v starship || true)}"
cd "$dir"
a="$bl prompt --shell zsh --status 1 --pipestatus 0,1 --duration 3200 --jobs 1"
if [[ -z $ss ]]; then
  echo "starship not found: timing blinkline alone" >&2
  exec hyperfine -N --warmup 50 --runs "${RUNS:-500}" "$a"
fi
export STARSHIP_CONFIG="$here/benches/starship-prompt.toml" STARSHIP_SHELL=zsh
"$here/benches/interleave.py" "${RUNS:-500}" "$a" \
  "$ss prompt --status 1 --pipestatus 0,1 --cmd-duration 3200 --jobs 1"
