"""SNMP traps and informs from the real net-snmp tools (snmptrap, snmpinform)
→ alerts and incidents in the API: v1, v2c and v3 at each security level,
linkDown/linkUp pairing by ifIndex, informs answered only once committed,
bad credentials rejected and counted, and a 50,000-trap burst fully
accounted for."""

import os
import subprocess
import time

import pytest

from harness import BUILD_DIR, Tocsind, free_port, wait_until

ENGINE = "0x80001f8804746f6373696e"    # ours: what inform senders discover
DEVICE = "0x8000000001020304"          # the trap sender's, configured per user
IF = "1.3.6.1.2.1.2.2.1"
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
FLOOD = os.path.join(BUILD_DIR, "bench", "snmp_trap_flood")

V3 = {
    "authPriv": ["-u", "tocsin-noc", "-l", "authPriv", "-a", "SHA-256", "-A", "noc-auth-pass",
                 "-x", "AES", "-X", "noc-priv-pass"],
    "authNoPriv": ["-u", "tocsin-auth", "-l", "authNoPriv", "-a", "SHA", "-A", "auth-only-pass"],
    "noAuthNoPriv": ["-u", "tocsin-plain", "-l", "noAuthNoPriv"],
}


def snmp_yaml(port):
    return f"""
snmp:
  udp:
    - listen: 127.0.0.1:{port}
      receive_buffer: 64MiB
  communities: [public]
  engine_id: {ENGINE}
  users:
    - name: tocsin-noc
      engine_ids: [{DEVICE}]
      auth_protocol: SHA-256
      auth_passphrase: noc-auth-pass
      priv_protocol: AES-128
      priv_passphrase: noc-priv-pass
    - name: tocsin-auth
      engine_ids: [{DEVICE}]
      auth_protocol: SHA
      auth_passphrase: auth-only-pass
    - name: tocsin-plain
      engine_ids: [{DEVICE}]
"""


def start_daemon(workdir):
    port = free_port()
    d = Tocsind(workdir, extra_yaml=snmp_yaml(port))
    d.snmp_port = port
    d.start()
    return d


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    d = start_daemon(str(tmp_path_factory.mktemp("snmp")))
    yield d
    d.stop()


@pytest.fixture
def fresh_daemon(tmp_path):
    d = start_daemon(str(tmp_path))
    yield d
    d.stop()


def run(cmd, check=True, timeout=20):
    env = dict(os.environ, MIBS="")
    return subprocess.run(cmd, check=check, timeout=timeout, env=env, capture_output=True, text=True)


def snmptrap(daemon, version, trap_oid, *varbinds, security=None, community="public", tool="snmptrap",
             check=True):
    cmd = [tool, "-v", version]
    if version == "3":
        cmd += (["-e", DEVICE] if tool == "snmptrap" else []) + V3[security]
    else:
        cmd += ["-c", community]
    if tool == "snmpinform":
        cmd += ["-r", "0", "-t", "5"]
    cmd += [f"127.0.0.1:{daemon.snmp_port}", "", trap_oid, *varbinds]
    return run(cmd, check=check)


def link(if_index, name=None):
    name = name or f"GigabitEthernet0/{if_index}"
    return [f"{IF}.1.{if_index}", "i", str(if_index), f"{IF}.2.{if_index}", "s", name]


def alerts(daemon, **match):
    status, body = daemon.request("GET", "/api/v1/alerts")
    assert status == 200, body
    out = []
    for a in body["alerts"]:
        if all(a["attributes"].get(k) == v for k, v in match.items()):
            out.append(a)
    return out


def one_alert(daemon, **match):
    found = wait_until(lambda: alerts(daemon, **match), what=f"an alert {match}")
    assert len(found) == 1, found
    return found[0]


def test_v2c_link_down_opens_incident_repeats_count_link_up_resolves_and_other_ifindex_is_separate(daemon):
    snmptrap(daemon, "2c", LINK_DOWN, *link(2, "Gi0/2-v2c"), community="public")
    alert = one_alert(daemon, ifIndex="2", snmp_version="2c")
    assert alert["name"] == "link_down"
    assert alert["resource"] == "127.0.0.1"
    assert alert["severity"] == "major"
    assert alert["summary"] == "Interface Gi0/2-v2c down on 127.0.0.1"
    status, incident = daemon.request("GET", f"/api/v1/incidents/{alert['incident_id']}")
    assert status == 200
    assert incident["state"] == "open"
    assert incident["title"] == "Interface Gi0/2-v2c down on 127.0.0.1"
    assert incident["alerts"][0]["attributes"]["trap_oid"] == LINK_DOWN

    snmptrap(daemon, "2c", LINK_DOWN, *link(2, "Gi0/2-v2c"))
    snmptrap(daemon, "2c", LINK_DOWN, *link(2, "Gi0/2-v2c"))
    wait_until(lambda: one_alert(daemon, ifIndex="2", snmp_version="2c")["count"] == 3, what="count 3")

    snmptrap(daemon, "2c", LINK_DOWN, *link(3, "Gi0/3-v2c"))
    other = one_alert(daemon, ifIndex="3", snmp_version="2c")
    assert other["id"] != alert["id"]
    assert other["incident_id"] != alert["incident_id"]

    snmptrap(daemon, "2c", LINK_UP, *link(2, "Gi0/2-v2c"))
    wait_until(lambda: one_alert(daemon, ifIndex="2", snmp_version="2c")["state"] == "resolved",
               what="linkUp resolves ifIndex 2")
    status, incident = daemon.request("GET", f"/api/v1/incidents/{alert['incident_id']}")
    assert incident["state"] == "resolved"
    assert one_alert(daemon, ifIndex="3", snmp_version="2c")["state"] != "resolved"


def test_v1_trap_is_translated_and_keeps_its_agent_address(daemon):
    run(["snmptrap", "-v", "1", "-c", "public", f"127.0.0.1:{daemon.snmp_port}", "1.3.6.1.4.1.8072.3.2.10",
         "192.0.2.10", "2", "0", "", *link(11)])
    alert = one_alert(daemon, ifIndex="11", snmp_version="1")
    assert alert["name"] == "link_down"
    assert alert["resource"] == "192.0.2.10"
    assert alert["attributes"]["trap_oid"] == LINK_DOWN
    run(["snmptrap", "-v", "1", "-c", "public", f"127.0.0.1:{daemon.snmp_port}", "1.3.6.1.4.1.8072.3.2.10",
         "192.0.2.10", "3", "0", "", *link(11)])
    wait_until(lambda: one_alert(daemon, ifIndex="11", snmp_version="1")["state"] == "resolved",
               what="v1 linkUp resolves")


@pytest.mark.parametrize("level,if_index", [("noAuthNoPriv", 21), ("authNoPriv", 22), ("authPriv", 23)])
def test_v3_trap_at_each_security_level(daemon, level, if_index):
    snmptrap(daemon, "3", LINK_DOWN, *link(if_index), security=level)
    alert = one_alert(daemon, ifIndex=str(if_index), snmp_version="3")
    assert alert["attributes"]["security_level"] == level
    snmptrap(daemon, "3", LINK_UP, *link(if_index), security=level)
    wait_until(lambda: one_alert(daemon, ifIndex=str(if_index), snmp_version="3")["state"] == "resolved",
               what=f"v3 {level} linkUp resolves")


def test_v2c_inform_returns_only_once_the_event_is_committed(daemon):
    result = snmptrap(daemon, "2c", LINK_DOWN, *link(31), tool="snmpinform")
    assert result.returncode == 0
    # No waiting: the response came after the commit, so the alert is already there.
    found = alerts(daemon, ifIndex="31", snmp_version="2c")
    assert len(found) == 1 and found[0]["name"] == "link_down"
    assert daemon.metric("tocsin_snmp_inform_responses_total") >= 1


def test_v3_inform_discovers_our_engine_and_returns_once_committed(daemon):
    result = snmptrap(daemon, "3", LINK_DOWN, *link(32), security="authPriv", tool="snmpinform")
    assert result.returncode == 0, result.stderr
    found = alerts(daemon, ifIndex="32", snmp_version="3")
    assert len(found) == 1 and found[0]["attributes"]["user"] == "tocsin-noc"
    assert daemon.metric("tocsin_snmp_reports_sent_total") >= 1


def test_bad_credentials_are_rejected_and_counted(daemon):
    before = {r: daemon.metric("tocsin_snmp_rejected_total", reason=r)
              for r in ("unknown_community", "wrong_digest", "unknown_user")}
    snmptrap(daemon, "2c", LINK_DOWN, *link(41), community="private")
    run(["snmptrap", "-v", "3", "-e", DEVICE, "-u", "tocsin-noc", "-l", "authPriv", "-a", "SHA-256",
         "-A", "wrong-auth-pass", "-x", "AES", "-X", "noc-priv-pass", f"127.0.0.1:{daemon.snmp_port}", "",
         LINK_DOWN, *link(42)])
    run(["snmptrap", "-v", "3", "-e", DEVICE, "-u", "intruder", "-l", "authNoPriv", "-a", "SHA",
         "-A", "intruder-pass", f"127.0.0.1:{daemon.snmp_port}", "", LINK_DOWN, *link(43)])
    inform = run(["snmpinform", "-v", "3", "-u", "tocsin-noc", "-l", "authPriv", "-a", "SHA-256", "-A",
                  "wrong-auth-pass", "-x", "AES", "-X", "noc-priv-pass", "-r", "0", "-t", "1",
                  f"127.0.0.1:{daemon.snmp_port}", "", LINK_DOWN, *link(44)], check=False)
    assert inform.returncode != 0  # never acknowledged
    for reason, n in (("unknown_community", 1), ("wrong_digest", 2), ("unknown_user", 1)):
        wait_until(lambda: daemon.metric("tocsin_snmp_rejected_total", reason=reason) >= before[reason] + n,
                   what=f"{reason} counted")
    for if_index in ("41", "42", "43", "44"):
        assert alerts(daemon, ifIndex=if_index) == []


def test_burst_of_50000_v2c_traps_is_fully_accounted_for_without_drops(fresh_daemon):
    daemon = fresh_daemon

    def lost():
        rejected = sum(daemon.metric("tocsin_snmp_rejected_total", reason=r)
                       for r in ("parse_error", "rate_limited", "too_long"))
        dropped = sum(daemon.metric("tocsin_snmp_dropped_total", reason=r)
                      for r in ("queue_full", "handler_error", "unmatched_discard"))
        kernel = sum(float(line.rpartition(" ")[2]) for line in daemon.metrics().splitlines()
                     if line.startswith("tocsin_snmp_udp_kernel_drops_total{"))
        return rejected + dropped + kernel

    def accepted():
        return daemon.metric("tocsin_snmp_notifications_total", outcome="accepted")

    start = time.monotonic()
    out = run([FLOOD, "--port", str(daemon.snmp_port), "--count", "50000", "--interfaces", "16"], timeout=60)
    assert "sent=50000" in out.stdout, out.stdout + out.stderr
    wait_until(lambda: accepted() + lost() >= 50000, timeout=60, what="every trap accounted for")
    assert accepted() + lost() == 50000
    assert lost() == 0, f"drops with a 64 MiB receive buffer: {lost()}"
    # Committed and deduplicated: 16 alerts (one per ifIndex) sharing the 50,000 events.
    wait_until(lambda: sum(a["count"] for a in alerts(daemon)) == 50000, timeout=60, what="50,000 events committed")
    assert len(alerts(daemon)) == 16
    print(f"burst: {out.stdout.strip()}; accounted and committed in {time.monotonic() - start:.1f}s")
