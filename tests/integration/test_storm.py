"""An outage storm end to end: a core switch goes down (a real `snmptrap`
linkDown) and the 500 hosts behind its two distribution switches complain over
syslog (real `logger`), some before the core's trap arrives. The NOC gets ONE
open incident naming the core switch as root cause, with the 500 host alerts as
symptoms, P1 from the core's criticality, the core's owner group, and exactly
one page per recipient at a real SMTP server; the linkUp trap resolves all."""

import os
import subprocess
import time

from harness import SmtpServer, Tocsind, free_port, wait_until

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
IF = "1.3.6.1.2.1.2.2.1"
HOSTS = [f"host-{i:03d}" for i in range(1, 501)]
HOLD_S = 20


def write_cmdb(path):
    with open(path, "w") as f:
        f.write("cis:\n")
        f.write("  - {id: core-sw1, type: device, addresses: [127.0.0.1], owner_group: network-core,"
                " criticality: critical, services: [internet, payments], location: dc1/row-a,"
                " runbook: 'https://wiki.example.net/runbooks/core-switch'}\n")
        for d in ("dist-sw1", "dist-sw2"):
            f.write(f"  - {{id: {d}, type: device, owner_group: network-ops, criticality: high,"
                    f" depends_on: [core-sw1]}}\n")
        for i, h in enumerate(HOSTS):
            dist = "dist-sw1" if i % 2 == 0 else "dist-sw2"
            f.write(f"  - {{id: {h}, type: host, owner_group: servers, criticality: medium,"
                    f" services: [payments], depends_on: [{dist}]}}\n")


def storm_yaml(workdir, snmp_port):
    cmdb = os.path.join(workdir, "cmdb.yaml")
    write_cmdb(cmdb)
    return f"""
snmp:
  udp:
    - listen: 127.0.0.1:{snmp_port}
      receive_buffer: 16MiB
  communities: [public]
cmdb:
  files: [{cmdb}]
  default_group: noc
correlation:
  hold_window: {HOLD_S}s
"""


RULES = """  rules:
    - name: host-down
      match: {message: 'HOST DOWN (?P<node>host-\\d+)'}
      event: host_down
      severity: critical
      resource: '{node}'
"""


def host_alerts(port, hosts):
    """One real `logger` reading lines from stdin: one syslog message per line."""
    cmd = ["logger", "-n", "127.0.0.1", "-P", str(port), "-t", "nagios", "-p", "local7.err", "--rfc3164", "-d"]
    lines = "".join(f"HOST DOWN {h} ping timeout\n" for h in hosts)
    subprocess.run(cmd, input=lines, text=True, check=True, timeout=20)


def snmptrap(port, trap_oid, if_index):
    cmd = ["snmptrap", "-v", "2c", "-c", "public", f"127.0.0.1:{port}", "", trap_oid,
           f"{IF}.1.{if_index}", "i", str(if_index), f"{IF}.2.{if_index}", "s", f"Te1/0/{if_index}"]
    subprocess.run(cmd, check=True, timeout=20, env=dict(os.environ, MIBS=""), capture_output=True)


def test_core_switch_outage_is_one_incident_one_page_and_its_clear_resolves_everything(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    snmp_port = free_port()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port, extra_yaml=storm_yaml(str(tmp_path), snmp_port))
    daemon.write_config(extra_yaml=storm_yaml(str(tmp_path), snmp_port), rules_yaml=RULES)
    daemon.start()
    try:
        started = time.monotonic()
        host_alerts(daemon.syslog_port, HOSTS[:200])  # before the core's trap: held, then adopted
        wait_until(lambda: len(daemon.incidents(state="open", limit=1000)) == 200, what="200 held host incidents")
        snmptrap(snmp_port, LINK_DOWN, 1)
        host_alerts(daemon.syslog_port, HOSTS[200:])
        assert time.monotonic() - started < 10, "the storm must arrive within 10 s"

        def settled():
            open_ = daemon.incidents(state="open")
            if len(open_) != 1 or open_[0]["symptom_count"] != 500:
                return None
            return open_[0]

        root = wait_until(settled, timeout=30, what="one open incident with 500 symptoms")
        assert root["ci"] == "core-sw1"
        assert root["priority"] == "P1"
        assert root["group"] == "network-core"
        assert root["criticality"] == "critical"
        assert root["alert_count"] == 501
        status, detail = daemon.request("GET", f"/api/v1/incidents/{root['id']}")
        assert status == 200
        assert detail["root_cause"]["ci"] == "core-sw1"
        assert [a["name"] for a in detail["root_cause"]["alerts"]] == ["link_down"]
        assert len(detail["symptoms"]) == 500
        assert {s["ci"] for s in detail["symptoms"]} == set(HOSTS)
        assert set(detail["impacted_cis"]) == {"core-sw1", *HOSTS}
        assert "payments" in detail["business_services"]

        # Incidents the early host alerts opened were adopted: merged into the
        # root, their held pages cancelled.
        others = [i for i in daemon.incidents(limit=1000) if i["id"] != root["id"]]
        assert len(others) <= 200
        for i in others:
            assert i["state"] == "resolved" and i["merged_into"] == root["id"], i
        assert daemon.metric("tocsin_correlator_symptoms_total") + daemon.metric(
            "tocsin_correlator_merged_incidents_total") >= 300

        # One page per recipient, and none once every hold window has passed.
        mails = wait_until(smtp.messages, what="the page")
        time.sleep(HOLD_S + 3)
        mails = smtp.messages()
        assert len(mails) == 1, [m.split("\n", 40)[:12] for m in mails]
        assert f"Subject: [P1] #{root['id']} link_down on 127.0.0.1" in mails[0]
        assert "To: noc@test.local" in mails[0]

        snmptrap(snmp_port, LINK_UP, 1)
        resolved = wait_until(lambda: [i for i in daemon.incidents(state="resolved") if i["id"] == root["id"]],
                              what="the root incident resolved by linkUp")
        assert resolved
        status, detail = daemon.request("GET", f"/api/v1/incidents/{root['id']}")
        assert all(a["state"] == "resolved" for a in detail["alerts"])
        assert "500 symptom alert(s) resolved with their root cause" in detail["timeline"][-1]["text"]
        status, firing = daemon.request("GET", "/api/v1/alerts?state=firing")
        assert firing["alerts"] == []
        assert daemon.incidents(state="open") == []
        assert len(smtp.messages()) == 1
    finally:
        daemon.stop()
        smtp.stop()
