#!/usr/bin/env bash
# HTTP alert ingestion, tocsind against Prometheus Alertmanager on this machine,
# in one run: each peer in turn receives the same alerts from the same wrk
# client (bench/http_alerts.lua): batches of BATCH firing alerts drawn from a
# pool of POOL distinct alerts, over CONNECTIONS keep-alive connections for
# SECONDS. tocsind gets them on POST /api/v1/events and answers only after the
# commit to its SQLite store; Alertmanager gets them on POST /api/v2/alerts.
# Reported per peer: alerts per second, non-2xx replies, and memory per active
# alert (resident set growth from idle to the end of the load / active alerts,
# as each peer counts them on /metrics); then the ratios.
#
#   bench/http_vs_alertmanager.sh [--seconds S] [--pool N] [--batch B]
#                                 [--connections C] [--threads T] [--keep]
#
# Environment: BUILD (build directory holding daemon/tocsind, default build),
# ALERTMANAGER (default prometheus-alertmanager), WRK (default wrk).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
tocsind=$build/daemon/tocsind
alertmanager=${ALERTMANAGER:-$(command -v prometheus-alertmanager || echo /usr/bin/prometheus-alertmanager)}
wrk=${WRK:-$(command -v wrk || echo /usr/bin/wrk)}
lua=$root/bench/http_alerts.lua
token=bench-operator-token

seconds=20
pool=20000
batch=64 # Prometheus sends Alertmanager at most 64 alerts per request
connections=16
threads=2
keep=0

usage() {
  sed -n '12,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done

die() { printf 'http_vs_alertmanager: %s\n' "$*" >&2; exit 1; }
[ -x "$tocsind" ] || die "no $tocsind; build first (cmake --build $build --target tocsind)"
[ -x "$alertmanager" ] || die "no $alertmanager; run scripts/install-deps.sh bench"
[ -x "$wrk" ] || die "no $wrk; run scripts/install-deps.sh bench"

work=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench-http.XXXXXX")
daemon_pid=

stop_daemon() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  [ -n "$daemon_pid" ] && stop_daemon "$daemon_pid"
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

wait_ready() { # url
  local i
  for ((i = 0; i < 200; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$daemon_pid" 2>/dev/null || die "the daemon exited; see $work"
    sleep 0.1
  done
  die "not ready: $1"
}

metric() { # url name-with-labels: value of one sample
  curl -fsS "$1" | awk -v key="$2" '$1 == key { v = $2 } END { print v + 0 }'
}

# load url shape → sets rate, errors, p50, p99 (alerts/s over the run)
load() {
  local url=$1 shape=$2 out
  out=$("$wrk" -t "$threads" -c "$connections" -d "${seconds}s" --timeout 30s -s "$lua" "$url" -- \
    "$shape" "$pool" "$batch" "$token")
  printf '%s\n' "$out" | sed 's/^/    /' >&2
  local line
  line=$(printf '%s\n' "$out" | grep '^RESULT ') || die "wrk printed no RESULT line"
  local requests secs
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  secs=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$line")
  errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
  rate=$(awk -v r="$requests" -v b="$batch" -v s="$secs" 'BEGIN { printf "%.0f", r * b / s }')
}

run_tocsind() {
  local port dir=$work/tocsind
  port=$(free_port)
  mkdir -p "$dir"
  cat >"$dir/tocsin.yaml" <<EOF
log:
  level: warn
store:
  path: $dir/tocsin.db
api:
  listen: 127.0.0.1:$port
  max_connections: 1024
  tokens:
    - name: bench
      role: operator
      token: $token
http:
  max_events: $batch
EOF
  "$tocsind" --config "$dir/tocsin.yaml" >"$dir/tocsind.log" 2>&1 &
  daemon_pid=$!
  wait_ready "http://127.0.0.1:$port/readyz"
  local idle
  idle=$(rss_kib "$daemon_pid")
  echo "tocsind: POST /api/v1/events, ${seconds}s" >&2
  load "http://127.0.0.1:$port/api/v1/events" tocsin
  t_rss=$(rss_kib "$daemon_pid")
  t_active=$(metric "http://127.0.0.1:$port/metrics" tocsin_alerts_firing)
  t_rate=$rate t_errors=$errors t_p50=$p50 t_p99=$p99
  t_per_alert=$(awk -v a="$t_rss" -v b="$idle" -v n="$t_active" 'BEGIN { printf "%.0f", (n > 0 ? (a - b) * 1024 / n : 0) }')
  stop_daemon "$daemon_pid"
  daemon_pid=
}

run_alertmanager() {
  local port dir=$work/alertmanager
  port=$(free_port)
  mkdir -p "$dir"
  # A receiver without integrations: Alertmanager stores, groups and
  # dispatches, and sends nothing.
  cat >"$dir/alertmanager.yml" <<EOF
route:
  receiver: blackhole
  group_by: [alertname, instance]
receivers:
  - name: blackhole
EOF
  "$alertmanager" --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$dir/alertmanager.log" 2>&1 &
  daemon_pid=$!
  wait_ready "http://127.0.0.1:$port/-/ready"
  local idle
  idle=$(rss_kib "$daemon_pid")
  echo "alertmanager: POST /api/v2/alerts, ${seconds}s" >&2
  load "http://127.0.0.1:$port/api/v2/alerts" alertmanager
  a_rss=$(rss_kib "$daemon_pid")
  # Alerts not yet dispatched count as "unprocessed"; all of them are held.
  a_active=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^alertmanager_alerts\{state=/ { n += $2 } END { print n + 0 }')
  a_rate=$rate a_errors=$errors a_p50=$p50 a_p99=$p99
  a_per_alert=$(awk -v a="$a_rss" -v b="$idle" -v n="$a_active" 'BEGIN { printf "%.0f", (n > 0 ? (a - b) * 1024 / n : 0) }')
  stop_daemon "$daemon_pid"
  daemon_pid=
}

echo "pool $pool alerts, batches of $batch, $connections connections, $threads wrk threads, ${seconds}s each" >&2
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run_tocsind
run_alertmanager

printf '\n%-14s %12s %8s %9s %9s %14s %16s\n' peer alerts/s errors p50_ms p99_ms active_alerts bytes/alert
printf '%-14s %12s %8s %9s %9s %14s %16s\n' tocsind "$t_rate" "$t_errors" "$t_p50" "$t_p99" "${t_active%.*}" "$t_per_alert"
printf '%-14s %12s %8s %9s %9s %14s %16s\n' alertmanager "$a_rate" "$a_errors" "$a_p50" "$a_p99" "${a_active%.*}" "$a_per_alert"
awk -v t="$t_rate" -v a="$a_rate" -v tm="$t_per_alert" -v am="$a_per_alert" 'BEGIN {
  printf "\ningest rate, tocsind / alertmanager:            %.2fx (goal >= 10x)\n", (a > 0 ? t / a : 0)
  printf "memory per active alert, tocsind / alertmanager: %.3f (goal < 0.1)\n", (am > 0 ? tm / am : 0)
}'
