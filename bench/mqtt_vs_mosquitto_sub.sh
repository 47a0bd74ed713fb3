#!/usr/bin/env bash
# MQTT ingest, tocsind against mosquitto_sub > /dev/null on this machine. A
# real mosquitto broker on a free loopback port queues N QoS 1 messages for a
# persistent session of each subscriber while it is away; then the subscriber
# starts and the script times how long it takes to drain the queue (for
# tocsind: until every message is committed to the store and acknowledged).
# Both use MQTT 5; mosquitto_sub only prints, so it is the broker's own pace.
#
#   bench/mqtt_vs_mosquitto_sub.sh [--count N] [--receive-maximum R] [--keep]
#
# Environment: BUILD (build directory holding daemon/tocsind, default build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
tocsind=$build/daemon/tocsind
count=50000
receive_maximum=1000
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --receive-maximum) receive_maximum=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) sed -n '10p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2 ;;
  esac
done
[ -x "$tocsind" ] || { echo "mqtt_vs_mosquitto_sub: build tocsind first ($tocsind)" >&2; exit 1; }
command -v mosquitto >/dev/null || { echo "mqtt_vs_mosquitto_sub: needs mosquitto, mosquitto-clients" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-mqtt-bench.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%s\", $* }"; }

broker_port=$(free_port)
api_port=$(free_port)
cat >"$work/mosquitto.conf" <<CONF
listener $broker_port 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
CONF
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
broker_pid=$!
sleep 0.5

pub() { # topic: publishes $count QoS 1 messages, one per line
  seq 1 "$count" | sed 's/^/{"name":"bench_alert","host":"h1","n":/; s/$/}/' |
    mosquitto_pub -p "$broker_port" -V mqttv5 -q 1 -t "$1" -l
}

# ---------------------------------------------------------------- mosquitto_sub
mosquitto_sub -p "$broker_port" -V mqttv5 -q 1 -c -x 3600 -i bench-sub -t sub/# -W 1 >/dev/null 2>&1 || true
pub sub/x
t0=$(now)
mosquitto_sub -p "$broker_port" -V mqttv5 -q 1 -c -x 3600 -i bench-sub -t sub/# -C "$count" >/dev/null
sub_s=$(calc "$(now) - $t0")

# ---------------------------------------------------------------- tocsind
cat >"$work/tocsin.yaml" <<CONF
log: {level: warn}
store: {path: $work/var/tocsin.db}
api:
  listen: 127.0.0.1:$api_port
  tokens: [{name: admin, role: admin, token: bench}]
mqtt:
  brokers:
    - server: 127.0.0.1:$broker_port
      protocol: "5"
      client_id: bench-tocsind
      topics: [tocsin/#]
      receive_maximum: $receive_maximum
CONF
accepted() {
  curl -s "http://127.0.0.1:$api_port/metrics" | awk '/^tocsin_mqtt_messages_total\{outcome="accepted"\}/ { print $2 }'
}
connected() {
  curl -s "http://127.0.0.1:$api_port/metrics" | grep -q '^tocsin_mqtt_connections_total{.*outcome="connected"} [1-9]'
}
(cd "$work" && exec "$tocsind" --config "$work/tocsin.yaml") >"$work/tocsind.log" 2>&1 &
tpid=$!
pids+=($tpid)
for _ in $(seq 200); do connected && break; sleep 0.05; done
kill -TERM "$tpid"; wait "$tpid" || true
pub tocsin/x
t0=$(now)
(cd "$work" && exec "$tocsind" --config "$work/tocsin.yaml") >>"$work/tocsind.log" 2>&1 &
tpid=$!
pids+=($tpid)
while [ "$(accepted || true)" != "$count" ]; do
  sleep 0.02
  kill -0 "$tpid" 2>/dev/null || { cat "$work/tocsind.log" >&2; exit 1; }
done
toc_s=$(calc "$(now) - $t0")
rss_kib=$(awk '/VmHWM/ { print $2 }' /proc/$tpid/status)
# user + system CPU of all of tocsind's threads since its start (clock ticks):
# less disturbed by other work on the machine than the wall clock.
cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$tpid/stat)
# Every event of this fresh store came over MQTT: the journal's count.
stored=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select events from event_journal').fetchone()[0])" "$work/var/tocsin.db")

printf '%-16s %10s %12s\n' "subscriber" "seconds" "msgs/s"
printf '%-16s %10.2f %12.0f\n' "mosquitto_sub" "$sub_s" "$(calc "$count / $sub_s")"
printf '%-16s %10.2f %12.0f   (stored %s events, peak RSS %s KiB, cpu %s s, %.1f us/msg)\n' "tocsind" "$toc_s" \
  "$(calc "$count / $toc_s")" "$stored" "$rss_kib" "$cpu_s" "$(calc "$cpu_s * 1000000 / $count")"
printf 'ratio tocsind/mosquitto_sub: %.2f (messages: %d QoS 1, MQTT 5, receive_maximum %d)\n' \
  "$(calc "$sub_s / $toc_s")" "$count" "$receive_maximum"
