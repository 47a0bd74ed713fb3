"""Silences and maintenance windows end to end: the real daemon, real `logger`
lines and HTTP events, a real SMTP server's mailbox. A suppressed alert is
visible in the API, opens no incident and pages nobody; when its suppression
ends while it still fires, the incident opens and the page arrives."""

import os
import socket
import subprocess
import time

import pytest

from harness import TOCSINCTL, ADMIN_TOKEN, SmtpServer, Tocsind, free_port, logger, wait_until

SHORT_HOST = socket.gethostname().split(".")[0]  # logger's RFC 3164 HOSTNAME

CMDB = """
cis:
  - {id: core-sw1, type: device, owner_group: network-ops, criticality: critical}
  - {id: dist-sw1, type: device, owner_group: network-ops, criticality: high, depends_on: [core-sw1]}
  - {id: web01, type: host, owner_group: web-team, criticality: medium, depends_on: [dist-sw1]}
  - {id: db01, type: host, owner_group: dba, criticality: medium}
"""


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(str(tmp_path), free_port())
    server.start()
    yield server
    server.stop()


def started(tmp_path, smtp, extra_yaml=""):
    with open(os.path.join(str(tmp_path), "cmdb.yaml"), "w") as f:
        f.write(CMDB)
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port,
                     extra_yaml="cmdb:\n  files: [cmdb.yaml]\ncorrelation:\n  hold_window: 0s\n" + extra_yaml)
    daemon.start()
    return daemon


def alerts(daemon, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    status, body = daemon.request("GET", "/api/v1/alerts" + (f"?{query}" if query else ""))
    assert status == 200, body
    return body["alerts"]


def ctl(daemon, *args):
    return subprocess.run([TOCSINCTL, "--url", f"http://127.0.0.1:{daemon.api_port}", "--token", ADMIN_TOKEN, *args],
                          capture_output=True, text=True, timeout=20)


def link_down(daemon):
    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to down", "%LINK-3-UPDOWN")


def test_silence_suppresses_a_syslog_alert_and_expiring_it_opens_the_incident_and_pages(tmp_path, smtp):
    daemon = started(tmp_path, smtp)
    try:
        status, silence = daemon.request("POST", "/api/v1/silences", {
            "matchers": [{"field": "resource", "op": "=", "value": SHORT_HOST},
                         {"field": "name", "op": "=~", "value": "interface_.*"}],
            "duration": "1h", "comment": "switch replacement CHG-42"})
        assert status == 201, silence
        assert silence["state"] == "active"
        assert silence["author"] == "admin"

        link_down(daemon)
        suppressed = wait_until(lambda: alerts(daemon, state="suppressed"), what="the suppressed alert")
        assert len(suppressed) == 1
        alert = suppressed[0]
        assert alert["name"] == "interface_down"
        assert alert["suppressed_by"] == f"silence:{silence['id']}"
        assert alert["incident_id"] == 0
        assert alert["source"] == "syslog"
        assert daemon.metric("tocsin_alerts_suppressed_total", by="silence") == 1
        assert daemon.metric("tocsin_alerts_suppressed") == 1
        # Filterable by what suppresses it.
        assert [a["id"] for a in alerts(daemon, suppressed_by=f"silence:{silence['id']}")] == [alert["id"]]

        # A repeat counts on the suppressed alert; still no incident, no page.
        link_down(daemon)
        wait_until(lambda: alerts(daemon, state="suppressed")[0]["count"] == 2, what="the repeat counted")
        time.sleep(1.5)  # more than a tick and an outbox poll
        assert daemon.incidents() == []
        assert smtp.messages() == []

        # tocsinctl shows it, and expires it while the alert still fires.
        shown = ctl(daemon, "alerts", "--state", "suppressed")
        assert shown.returncode == 0, shown.stderr
        assert "suppressed" in shown.stdout and f"silence:{silence['id']}" in shown.stdout, shown.stdout
        listed = ctl(daemon, "silence", "list", "--state", "active")
        assert listed.returncode == 0, listed.stderr
        assert f"resource={SHORT_HOST}" in listed.stdout and "CHG-42" in listed.stdout
        expired = ctl(daemon, "silence", "expire", str(silence["id"]))
        assert expired.returncode == 0, expired.stderr

        incident = wait_until(daemon.incidents, what="the incident after the silence expired")[0]
        assert incident["state"] == "open"
        assert incident["ci"] == SHORT_HOST
        assert incident["event_count"] == 2
        status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
        assert [a["state"] for a in detail["alerts"]] == ["firing"]
        assert detail["alerts"][0]["suppressed_by"] is None
        assert any(t["action"] == "suppression ended" for t in detail["timeline"]), detail["timeline"]
        mails = wait_until(smtp.messages, what="the page")
        assert len(mails) == 1 and f"interface_down on {SHORT_HOST}" in mails[0]
        assert daemon.metric("tocsin_alerts_suppression_ended_total") == 1
        assert daemon.metric("tocsin_alerts_suppressed") == 0

        status, body = daemon.request("GET", "/api/v1/silences?state=expired")
        assert status == 200 and [s["id"] for s in body["silences"]] == [silence["id"]]
        status, body = daemon.request("DELETE", f"/api/v1/silences/{silence['id']}")
        assert status == 409, body
    finally:
        daemon.stop()


def test_suppressed_alert_survives_a_restart_and_a_clear_resolves_it_quietly(tmp_path, smtp):
    daemon = started(tmp_path, smtp)
    try:
        added = ctl(daemon, "silence", "add", "--match", f"resource={SHORT_HOST}", "--duration", "1h",
                    "--comment", "noisy during the move")
        assert added.returncode == 0, added.stderr
        link_down(daemon)
        wait_until(lambda: alerts(daemon, state="suppressed"), what="the suppressed alert")

        daemon.kill9()
        daemon.start()
        restored = alerts(daemon, state="suppressed")
        assert len(restored) == 1, "the suppressed alert is restored"
        status, body = daemon.request("GET", "/api/v1/silences")
        assert status == 200 and len(body["silences"]) == 1 and body["silences"][0]["state"] == "active"

        logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to up", "%LINK-3-UPDOWN")
        wait_until(lambda: alerts(daemon, state="resolved"), what="the alert resolved")
        resolved = alerts(daemon, state="resolved")[0]
        assert resolved["incident_id"] == 0
        assert resolved["suppressed_by"].startswith("silence:")
        assert daemon.metric("tocsin_alerts_suppressed_cleared_total") == 1
        time.sleep(1.5)
        assert daemon.incidents() == []
        assert smtp.messages() == []
    finally:
        daemon.stop()


def test_bad_silences_are_refused_with_the_field_and_counted(tmp_path, smtp):
    daemon = started(tmp_path, smtp)
    try:
        cases = [
            ({"matchers": [{"field": "resource", "op": "=~", "value": "web("}], "duration": "1h", "comment": "x"},
             "matchers[0].value", "invalid regular expression"),
            ({"matchers": [{"field": "hostname", "value": "web01"}], "duration": "1h", "comment": "x"},
             "matchers[0].field", "field must be one of"),
            ({"matchers": [{"field": "severity", "op": "!=", "value": "critical"}], "duration": "1h", "comment": "x"},
             "matchers", "at least one matcher"),
            ({"matchers": [{"field": "ci", "value": "web01"}], "duration": "1h"}, "comment", "comment is required"),
            ({"matchers": [{"field": "ci", "value": "web01"}], "start": "2019-12-31T00:00:00Z",
              "end": "2020-01-01T00:00:00Z", "comment": "x"},
             "end", "in the past"),
            ({"matchers": [{"field": "ci", "value": "web01"}], "comment": "x"}, "end", "either end or duration"),
            ({"matchers": [{"field": "ci", "value": "web01"}], "duration": "1h", "comment": "x", "owner": "me"},
             "owner", "unknown field"),
        ]
        for body, field, message in cases:
            status, reply = daemon.request("POST", "/api/v1/silences", body)
            assert status == 400, (body, reply)
            assert reply["field"] == field, reply
            assert message in reply["error"], reply
        assert daemon.metric("tocsin_api_suppression_rejected_total", reason="invalid_value") == 6
        assert daemon.metric("tocsin_api_suppression_rejected_total", reason="unknown_field") == 1
        status, _ = daemon.request("POST", "/api/v1/silences", {"matchers": [{"field": "ci", "value": "web01"}],
                                                                "duration": "1h", "comment": "x"}, token="test-viewer-token")
        assert status == 403
        status, body = daemon.request("GET", "/api/v1/silences")
        assert status == 200 and body == {"silences": []}
    finally:
        daemon.stop()


def test_maintenance_window_from_config_suppresses_a_downstream_host(tmp_path, smtp):
    now = time.time()
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3600))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))
    daemon = started(tmp_path, smtp, f"""
maintenance:
  - name: core-upgrade
    cis: [core-sw1]
    include_dependents: true
    start: {start}
    end: {end}
    comment: IOS upgrade
""")
    try:
        status, body = daemon.request("GET", "/api/v1/maintenance")
        assert status == 200, body
        [window] = body["maintenance"]
        assert window["id"] == "core-upgrade" and window["source"] == "config" and window["active"] is True

        status, body = daemon.request("POST", "/api/v1/events", [
            {"name": "http_down", "resource": "web01", "severity": "critical"},
            {"name": "disk_full", "resource": "db01", "severity": "major"}])
        assert status == 200, body
        wait_until(lambda: len(alerts(daemon)) == 2, what="both alerts")
        by_resource = {a["resource"]: a for a in alerts(daemon)}
        assert by_resource["web01"]["state"] == "suppressed"
        assert by_resource["web01"]["suppressed_by"] == "maintenance:core-upgrade"
        assert by_resource["db01"]["state"] == "firing", "db01 does not depend on core-sw1"
        incidents = wait_until(daemon.incidents, what="the db01 incident")
        assert [i["ci"] for i in incidents] == ["db01"]
        assert daemon.metric("tocsin_alerts_suppressed_total", by="maintenance") == 1
        mails = wait_until(smtp.messages, what="the db01 page")
        time.sleep(1.5)
        assert len(smtp.messages()) == 1 and "db01" in mails[0]

        status, body = daemon.request("DELETE", "/api/v1/maintenance/core-upgrade")
        assert status == 409 and "configuration file" in body["error"], body

        # A window added through the API is listed and removed with tocsinctl.
        added = ctl(daemon, "maintenance", "add", "--cis", "db01", "--schedule", "weekly", "--days", "sat,sun",
                    "--at", "01:00", "--duration", "3h", "--time-zone", "Europe/Paris", "--comment", "backups")
        assert added.returncode == 0, added.stderr
        listed = ctl(daemon, "maintenance", "list")
        assert listed.returncode == 0 and "core-upgrade" in listed.stdout and "backups" in listed.stdout, listed
        removed = ctl(daemon, "maintenance", "rm", "1")
        assert removed.returncode == 0, removed.stderr
        status, body = daemon.request("GET", "/api/v1/maintenance")
        assert [w["id"] for w in body["maintenance"]] == ["core-upgrade"]
    finally:
        daemon.stop()


def test_api_maintenance_window_ending_opens_the_incident_and_pages(tmp_path, smtp):
    daemon = started(tmp_path, smtp)
    try:
        now = time.time()
        status, window = daemon.request("POST", "/api/v1/maintenance", {
            "cis": ["dist-sw1"], "include_dependents": True,
            "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
            "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 8)),
            "comment": "short window"})
        assert status == 201, window
        status, body = daemon.request("POST", "/api/v1/events", {"name": "http_down", "resource": "web01",
                                                                 "severity": "critical"})
        assert status == 200
        wait_until(lambda: alerts(daemon, state="suppressed"), what="the suppressed alert")
        assert daemon.incidents() == []

        daemon.stop()
        daemon.start()  # the window is stored
        status, body = daemon.request("GET", "/api/v1/maintenance")
        assert [w["id"] for w in body["maintenance"]] == [window["id"]]

        incident = wait_until(daemon.incidents, timeout=25, what="the incident when the window ends")[0]
        assert incident["ci"] == "web01"
        assert incident["opened_at"] >= window["end"], "opened when the window ended, not before"
        mails = wait_until(smtp.messages, what="the page")
        assert len(mails) == 1 and "web01" in mails[0]
    finally:
        daemon.stop()
