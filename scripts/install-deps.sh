#!/usr/bin/env bash
# Installs the Debian packages Tocsin needs, only those missing.
#   scripts/install-deps.sh build   what `make run` needs: compiler, libraries
#   scripts/install-deps.sh test    also the test servers and clients of `make test`
#   scripts/install-deps.sh bench   also the peers the benchmarks compare with
# Runs apt-get as root, or through sudo for a normal user.
set -euo pipefail

build=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-all-dev libspdlog-dev libyaml-cpp-dev libsqlite3-dev zlib1g-dev libssl-dev
  libcurl4-openssl-dev libre2-dev libsystemd-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgmime-3.0-dev libsnmp-dev
  libmosquitto-dev libhowardhinnant-date-dev
)
test=(
  python3 python3-pytest python3-aiosmtpd openssl bsdutils curl
  clang libclang-rt-14-dev swaks
  prometheus-alertmanager snmp
  mosquitto mosquitto-clients
  kannel kannel-extras
)
bench=(rsyslog wrk snmptrapd)

want=("${build[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test[@]}") ;;
  bench) want+=("${test[@]}" "${bench[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
