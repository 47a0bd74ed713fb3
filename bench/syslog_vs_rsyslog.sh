#!/usr/bin/env bash
# Syslog UDP ingestion, tocsind against rsyslog on this machine: each peer in
# turn receives the same flood from syslog_flood on a free loopback port, and
# the script reports what each one stored, what it lost and how fast.
# See bench/README.md for what is measured and how to read the output.
#
#   bench/syslog_vs_rsyslog.sh [--count N] [--rate MSGS_PER_S] [--runs K]
#                              [--hosts H] [--interfaces I] [--timeout S] [--keep]
#
# Environment: BUILD (build directory holding daemon/tocsind and
# bench/syslog_flood, default build), RSYSLOGD (default rsyslogd).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
rsyslogd=${RSYSLOGD:-$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}
tocsind=$build/daemon/tocsind
flood=$build/bench/syslog_flood

count=500000
rate=0
runs=3
hosts=200
interfaces=48
timeout=300 # seconds, bound on each phase of a run
keep=0

usage() {
  sed -n '7,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --interfaces) interfaces=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done

say() { printf '%s\n' "$*"; }
die() { printf 'syslog_vs_rsyslog: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- processes

work=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench.XXXXXX")
declare -A running=() # pids of the processes started and not yet stopped

stop_process() { # pid: SIGTERM, then SIGKILL after 10 s
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# start_child LOG COMMAND...: runs it in the background, its pid in $child_pid.
# Children are waited for with `wait`, which the INT/TERM traps interrupt.
start_child() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  child_pid=$!
  running[$child_pid]=1
}

stop_child() {
  stop_process "$1"
  unset "running[$1]"
}

cleanup() {
  local pid
  for pid in "${!running[@]}"; do stop_process "$pid"; done
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

calc() { awk "BEGIN { printf \"%s\", $* }"; }

# A loopback port nobody uses now, for `udp` or `tcp`.
free_port() {
  /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}

# Kernel view of a bound UDP port: prints the socket's drop count (last
# column of /proc/net/udp), nothing when no socket is bound to it.
udp_drops() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" '$2 ~ p"$" { d += $NF; n++ } END { if (n) print d }' /proc/net/udp /proc/net/udp6
}

# The socket's receive buffer as the kernel granted it (bytes, ss's "rb").
udp_rcvbuf() {
  ss -Huamn "sport = :$1" | sed -n 's/.*rb\([0-9]*\).*/\1/p' | head -1
}

# CPU seconds (user + system) used so far by each thread of a process: "tid seconds name" lines.
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*/stat; do
    awk -v hz="$(getconf CLK_TCK)" '{ tid = $1; name = $0; sub(/^[^(]*\(/, "", name); sub(/\).*$/, "", name)
      gsub(/ /, "_", name); sub(/^.*\) /, ""); printf "%s %.2f %s\n", tid, ($12 + $13) / hz, name }' "$t"
  done
}

# cpu_used BEFORE AFTER (outputs of thread_cpu): "total busiest" CPU seconds
# spent in between, the busiest being the one thread that used the most.
cpu_used() {
  awk 'NR == FNR { before[$1] = $2; next }
       { d = $2 - before[$1]; total += d; if (d > busiest) busiest = d }
       END { printf "%.2f %.2f", total, busiest }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

# cpu_by_thread PID BEFORE AFTER: the CPU seconds spent in between by thread name
# ("main" for the process's first thread), busiest first, on one line.
cpu_by_thread() {
  awk -v pid="$1" 'NR == FNR { before[$1] = $2; next }
       { name = ($1 == pid) ? "main" : $3; d[name] += $2 - before[$1] }
       END { for (n in d) if (d[n] >= 0.01) printf "%s %.2f\n", n, d[n] }' <(printf '%s\n' "$2") <(printf '%s\n' "$3") |
    sort -k2,2nr | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $1, $2 }'
}

# until SECONDS COMMAND...: retries COMMAND every 0.1 s.
until_ok() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

udp_bound() { [ -n "$(udp_drops "$1")" ]; }

# wait_stable SAMPLE_COMMAND: returns once the command's output has not changed
# for 1 s (and is not "busy"); fails after $timeout seconds.
wait_stable() {
  local last="" value same=0 deadline=$(($(date +%s) + timeout))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    value=$("$@")
    if [ "$value" = "$last" ] && [ "$value" != busy ]; then
      same=$((same + 1))
      [ "$same" -ge 10 ] && return 0
    else
      same=0
      last=$value
    fi
    sleep 0.1
  done
  return 1
}

# Runs the load against a port; leaves syslog_flood's key=value line in $flood_out.
send_load() {
  local bound=$((timeout > 60 ? timeout : 60))
  start_child "$work/flood.out" "$flood" --port "$1" --count "$count" --rate "$rate" --hosts "$hosts" \
    --interfaces "$interfaces" --seconds "$bound"
  wait "$child_pid" || die "syslog_flood failed: $(cat "$work/flood.out")"
  unset "running[$child_pid]"
  flood_out=$(cat "$work/flood.out")
  say "  load: $flood_out"
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# record PEER RUN SENT STORED FIRST_SEND LAST_STORED "CPU_TOTAL CPU_BUSIEST" DROPS RCVBUF NOTE
record() {
  local elapsed rate_s lost cpu busiest us_per_msg
  elapsed=$(calc "$6 - $5")
  lost=$(($3 - $4))
  rate_s=$(calc "($elapsed > 0) ? $4 / $elapsed : 0")
  read -r cpu busiest <<<"$7"
  us_per_msg=$(calc "($4 > 0) ? 1e6 * $cpu / $4 : 0")
  printf '%s\t%s\t%s\t%s\t%s\t%.0f\t%.3f\t%s\t%s\t%.1f\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$lost" "$rate_s" \
    "$elapsed" "$cpu" "$busiest" "$us_per_msg" "$8" "$9" "${10}" >>"$work/runs.tsv"
  say "  $1 run $2: sent $3, stored $4, lost $lost, $(printf '%.0f' "$rate_s") msgs/s over $(printf '%.2f' "$elapsed") s;" \
    "cpu $cpu s (busiest thread $busiest s, $(printf '%.1f' "$us_per_msg") us/msg stored);" \
    "udp kernel drops $8, rcvbuf $9${10:+; ${10}}"
}

# ---------------------------------------------------------------- rsyslog

rsyslog_config() { # dir port
  cat <<EOF
global(workDirectory="$1/work")
module(load="imudp" threads="2")
ruleset(name="bench") {
  action(type="omfile" file="$1/messages.log")
}
input(type="imudp" address="127.0.0.1" port="$2" rcvBufSize="8m" ruleset="bench")
EOF
}

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

run_rsyslog() { # run number
  local dir=$work/rsyslog-$1 port pid cpu0 rcvbuf note=""
  mkdir -p "$dir/work"
  port=$(free_port udp)
  rsyslog_config "$dir" "$port" >"$dir/rsyslog.conf"
  start_child "$dir/rsyslogd.log" "$rsyslogd" -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid"
  pid=$child_pid
  until_ok 20 udp_bound "$port" || die "rsyslogd did not bind 127.0.0.1:$port (see $dir/rsyslogd.log)"
  rcvbuf=$(udp_rcvbuf "$port")
  cpu0=$(thread_cpu "$pid")
  send_load "$port"
  wait_stable file_size "$dir/messages.log" || note="timeout"
  local drops cpu stored last
  # Taken before the stop: rsyslogd touches the file again when it closes it.
  last=$(stat -c %.9Y "$dir/messages.log" 2>/dev/null || field first_send_unix "$flood_out")
  drops=$(udp_drops "$port")
  cpu=$(cpu_used "$cpu0" "$(thread_cpu "$pid")")
  stop_child "$pid"
  stored=$(wc -l <"$dir/messages.log" 2>/dev/null || echo 0)
  record rsyslog "$1" "$(field sent "$flood_out")" "$stored" "$(field first_send_unix "$flood_out")" "$last" \
    "$cpu" "${drops:-?}" "${rcvbuf:-?}" "$note"
}

# ---------------------------------------------------------------- tocsind

tocsind_config() { # dir syslog_port api_port
  cat <<EOF
log:
  level: info
store:
  backend: sqlite
  path: $1/tocsin.db
api:
  listen: 127.0.0.1:$3
  tokens:
    - name: bench
      role: viewer
      token: bench-viewer-token
syslog:
  udp:
    - listen: 127.0.0.1:$2
      receive_buffer: 8MiB
  unmatched: record
  rules:
    - name: ssh-auth-failure
      match:
        app_name: '^sshd\$'
        message: 'Failed password for (?:invalid user )?(?P<user>\S+) from (?P<client>\S+)'
      event: ssh_auth_failure
      severity: minor
      summary: 'SSH login failures on {host}'
correlation:
  default_group: noc
notifications:
  email:
    enabled: false
EOF
}

# metric FILE NAME [LABEL_FILTER]: sum of the samples of NAME whose labels
# contain LABEL_FILTER.
metric() {
  awk -v name="$2" -v want="${3:-}" '
    $1 == name || index($1, name "{") == 1 { if (want == "" || index($1, want)) { s += $NF; n++ } }
    END { printf "%.0f", s }' "$1"
}

scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" >"$2"; }

event_rows() { sqlite3 -cmd '.timeout 5000' "$1" 'select events from event_journal'; }

# What the stability wait watches: events accepted and commits; "busy" while
# events are queued or (with the sqlite3 CLI) accepted but not yet committed.
tocsind_progress() { # api_port metrics_file db
  local accepted
  scrape "$1" "$2" || { echo busy; return; }
  accepted=$(metric "$2" tocsin_pipeline_events_accepted_total)
  if [ "$(metric "$2" tocsin_pipeline_queue_events)" != 0 ]; then echo busy; return; fi
  if command -v sqlite3 >/dev/null && [ "$(event_rows "$3")" != "$accepted" ]; then echo busy; return; fi
  echo "$accepted $(metric "$2" tocsin_store_commits_total)"
}

tocsind_counters() { # metrics file
  local m=$1
  printf 'udp_received=%s parsed=%s rejected=%s accepted=%s dropped_queue_full=%s syslog_dropped=%s udp_kernel_drops=%s commits=%s' \
    "$(metric "$m" tocsin_syslog_received_total 'transport="udp"')" \
    "$(metric "$m" tocsin_syslog_messages_total 'outcome="accepted"')" \
    "$(metric "$m" tocsin_syslog_rejected_total)" \
    "$(metric "$m" tocsin_pipeline_events_accepted_total)" \
    "$(metric "$m" tocsin_pipeline_events_dropped_total)" \
    "$(metric "$m" tocsin_syslog_dropped_total)" \
    "$(metric "$m" tocsin_syslog_udp_kernel_drops_total)" \
    "$(metric "$m" tocsin_store_commits_total)"
}

newest_mtime() { stat -c %.9Y "$@" 2>/dev/null | sort -n | tail -1; }

run_tocsind() { # run number
  local dir=$work/tocsind-$1 port api pid cpu0 rcvbuf note=""
  mkdir -p "$dir"
  port=$(free_port udp)
  api=$(free_port tcp)
  tocsind_config "$dir" "$port" "$api" >"$dir/tocsind.yaml"
  "$tocsind" --check-config "$dir/tocsind.yaml" >"$dir/check.log" 2>&1 || die "config rejected: $(cat "$dir/check.log")"
  start_child "$dir/tocsind.log" "$tocsind" --config "$dir/tocsind.yaml"
  pid=$child_pid
  until_ok 20 curl -fs -o /dev/null "http://127.0.0.1:$api/readyz" || die "tocsind not ready (see $dir/tocsind.log)"
  rcvbuf=$(udp_rcvbuf "$port")
  cpu0=$(thread_cpu "$pid")
  send_load "$port"
  wait_stable tocsind_progress "$api" "$dir/metrics.txt" "$dir/tocsin.db" || note="timeout"
  local last cpu cpu1 drops counters stored rows
  last=$(newest_mtime "$dir/tocsin.db" "$dir/tocsin.db-wal")
  cpu1=$(thread_cpu "$pid")
  cpu=$(cpu_used "$cpu0" "$cpu1")
  drops=$(udp_drops "$port")
  scrape "$api" "$dir/metrics.txt"
  counters=$(tocsind_counters "$dir/metrics.txt")
  stored=$(metric "$dir/metrics.txt" tocsin_pipeline_events_accepted_total)
  stop_child "$pid"
  say "  tocsind counters: $counters"
  say "  tocsind cpu by thread: $(cpu_by_thread "$pid" "$cpu0" "$cpu1")"
  if command -v sqlite3 >/dev/null; then
    rows=$(event_rows "$dir/tocsin.db")
    [ "$rows" = "$stored" ] || note="${note:+$note, }events rows $rows != accepted $stored"
    stored=$rows
  fi
  record tocsind "$1" "$(field sent "$flood_out")" "$stored" "$(field first_send_unix "$flood_out")" "$last" \
    "$cpu" "${drops:-?}" "${rcvbuf:-?}" "$note"
}

# ---------------------------------------------------------------- summary

# Per peer: the run with the median rate (the slower middle one for an even
# count) and the best rate.
summary() {
  local peer line
  declare -A median
  printf '\n%-8s %5s %9s %9s %9s %7s %12s %12s %7s %10s\n' peer runs sent stored lost loss% msgs/s best_msgs/s \
    cpu_s cpu_us/msg
  for peer in rsyslog tocsind; do
    line=$(awk -F'\t' -v p="$peer" '$1 == p' "$work/runs.tsv" | sort -t$'\t' -k6,6n |
      awk -F'\t' '{ r[NR] = $0; best = $6 } END {
        split(r[int((NR + 1) / 2)], m, "\t")
        printf "%d %d %d %d %.2f %d %d %s %s", NR, m[3], m[4], m[5], m[3] ? 100 * m[5] / m[3] : 0, m[6], best, m[8], m[10] }')
    # shellcheck disable=SC2086
    printf '%-8s %5s %9s %9s %9s %7s %12s %12s %7s %10s\n' "$peer" $line
    median[$peer]=$(cut -d' ' -f6 <<<"$line")
  done
  awk -v t="${median[tocsind]}" -v r="${median[rsyslog]}" \
    'BEGIN { printf "\nratio tocsind/rsyslog (median msgs/s): %s\n", (r > 0 ? sprintf("%.2f", t / r) : "n/a") }'
}

# ---------------------------------------------------------------- main

[ -x "$flood" ] || die "$flood is missing: run \`make build\` or set BUILD to a build directory"
[ -x "$tocsind" ] || die "$tocsind is missing: run \`make build\` or set BUILD to a build directory"
"$tocsind" --version >/dev/null 2>&1 || die "$tocsind --version failed: rebuild it"
[ -x "$rsyslogd" ] || die "rsyslogd not found: scripts/install-deps.sh bench installs it"
command -v curl >/dev/null || die "curl is needed to read tocsind's /metrics"

say "syslog UDP benchmark: $count messages at $([ "$rate" = 0 ] && echo 'full speed' || echo "$rate msgs/s"), $runs runs each, $(nproc) cores"
say "  $("$tocsind" --version 2>&1 | head -1) ($tocsind), $("$rsyslogd" -v | head -1 | sed 's/ compiled with://')"
: >"$work/runs.tsv"
for ((run = 1; run <= runs; run++)); do
  run_rsyslog "$run"
  run_tocsind "$run"
done
printf '\nruns:\n%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' peer run sent stored lost msgs/s seconds \
  cpu_s busiest_thread_s cpu_us/msg udp_drops rcvbuf note
cat "$work/runs.tsv"
summary
