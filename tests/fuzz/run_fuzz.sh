#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time on a scratch copy of its seed corpus.
set -euo pipefail
target=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
exec "$target" -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1 "$work"
