#!/usr/bin/env bash
# Compares tocsind with net-snmp's snmptrapd on the same SNMPv2c trap flood on
# this machine: N pre-encoded linkDown traps sent with sendmmsg() at RATE/s,
# faster than either receiver keeps up (bench/snmp_trap_flood), then the time
# until the receiver has handled every trap it will handle. tocsind: decode, mapping, dedup and commit to SQLite
# (counted when the events are in the store); snmptrapd: decode and one log
# line per trap to a file, no handler. Prints traps/s for each and the ratio.
#
#   bench/snmp_vs_snmptrapd.sh [BUILD_DIR] [TRAPS] [RATE]   (needs snmptrapd: scripts/install-deps.sh bench)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
traps=${2:-200000}
rate=${3:-50000}
flood=$build/bench/snmp_trap_flood
tocsind=$build/daemon/tocsind
snmptrapd=$(command -v snmptrapd || echo /usr/sbin/snmptrapd)
for f in "$flood" "$tocsind" "$snmptrapd"; do
  [ -x "$f" ] || { echo "missing $f (build the tree, install snmptrapd)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# Polls `count` until it reaches the target or stops moving for 3 s; prints
# "handled seconds" measured from $start to the last change.
wait_done() {
  local count=$1 start=$2 last=-1 last_change stable=0 n
  last_change=$(now)
  while :; do
    n=$($count)
    if [ "$n" != "$last" ]; then last=$n; last_change=$(now); stable=0; else stable=$((stable + 1)); fi
    [ "$n" -ge "$traps" ] && break
    [ "$stable" -ge 30 ] && break
    sleep 0.1
  done
  echo "$last $(echo "$last_change - $start" | bc -l)"
}

# ---- tocsind ----
api=$(free_port); snmp=$(free_port)
cat > "$work/tocsin.yaml" <<YAML
log: {level: warn}
store: {path: $work/tocsin.db}
api:
  listen: 127.0.0.1:$api
  tokens: [{name: bench, role: admin, token: bench-token}]
pipeline: {queue_capacity: 1000000}
snmp:
  udp: [{listen: 127.0.0.1:$snmp, receive_buffer: 256MiB}]
  communities: [public]
YAML
(cd "$work" && exec "$tocsind" --config "$work/tocsin.yaml" 2> "$work/tocsind.log") &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$api/readyz" > /dev/null && break; sleep 0.1; done
committed() {
  curl -sf -H 'Authorization: Bearer bench-token' "http://127.0.0.1:$api/api/v1/alerts" |
    /usr/bin/python3 -c 'import json,sys; print(int(sum(a["count"] for a in json.load(sys.stdin)["alerts"])))'
}
start=$(now)
"$flood" --port "$snmp" --count "$traps" --rate "$rate" --interfaces 16 > "$work/flood_tocsind.txt"
read -r t_handled t_seconds < <(wait_done committed "$start")
t_rate=$(echo "$t_handled / $t_seconds" | bc -l)
t_kernel=$(curl -sf "http://127.0.0.1:$api/metrics" | awk '/^tocsin_snmp_udp_kernel_drops_total\{/ {s+=$2} END {print s+0}')
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true  # the peer gets the machine to itself

# ---- snmptrapd ----
port=$(free_port)
cat > "$work/snmptrapd.conf" <<CONF
authCommunity log public
CONF
MIBS="" "$snmptrapd" -f -n -C -c "$work/snmptrapd.conf" -Lf "$work/traps.log" -F 'TRAP %B %v\n' \
  -p "$work/snmptrapd.pid" "udp:127.0.0.1:$port" > "$work/snmptrapd.out" 2>&1 &
pids+=($!)
logged() { grep -c '^TRAP ' "$work/traps.log" 2>/dev/null || echo 0; }
# Ready when it logs a first trap (it parses its MIB files at start-up).
for _ in $(seq 200); do
  "$flood" --port "$port" --count 1 --interfaces 1 > /dev/null
  [ "$(logged)" -ge 1 ] && break
  sleep 0.1
done
: > "$work/traps.log"
start=$(now)
"$flood" --port "$port" --count "$traps" --rate "$rate" --interfaces 16 > "$work/flood_snmptrapd.txt"
read -r s_handled s_seconds < <(wait_done logged "$start")
s_rate=$(echo "$s_handled / $s_seconds" | bc -l)

printf 'traps sent to each:  %d  (%s)\n' "$traps" "$(cat "$work/flood_tocsind.txt")"
printf 'tocsind:    %8d handled in %6.2f s = %8.0f traps/s  (decode + mapping + SQLite commit; kernel drops %s)\n' \
  "$t_handled" "$t_seconds" "$t_rate" "$t_kernel"
printf 'snmptrapd:  %8d handled in %6.2f s = %8.0f traps/s  (decode + log line to a file; the rest dropped by the kernel)\n' \
  "$s_handled" "$s_seconds" "$s_rate"
printf 'ratio tocsind/snmptrapd: %.1fx\n' "$(echo "$t_rate / $s_rate" | bc -l)"
