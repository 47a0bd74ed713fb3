"""The CMDB managed through the API against the real daemon: a CI created
over HTTP enriches the incident of an alert on its address, a change of its
criticality is in its history with the actor, and it is still there after a
restart. Recurring incidents on that CI are counted and listed as a problem
candidate, and resolved incidents close by themselves after the configured
delay, also across a restart."""

import signal
import subprocess
import time

import pytest

from harness import ADMIN_TOKEN, TOCSINCTL, VIEWER_TOKEN, SmtpServer, Tocsind, free_port, wait_until

CONFIG = """
correlation:
  auto_close_after: 2s
  recurrence_window: 1d
  recurrence_note_at: 2
"""

PAY_DB = {
    "id": "pay-db01",
    "type": "host",
    "addresses": ["10.0.1.31"],
    "owner_group": "dba",
    "criticality": "medium",
    "services": ["payments"],
    "runbook": "https://wiki.example.net/runbooks/postgresql",
}


@pytest.fixture
def env(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port, extra_yaml=CONFIG)
    daemon.start()
    yield daemon
    daemon.stop()
    smtp.stop()


def event(daemon, kind="problem", name="disk_full"):
    body = {"name": name, "resource": "10.0.1.31", "severity": "major"}
    if kind == "clear":
        body["kind"] = "clear"
    status, answer = daemon.request("POST", "/api/v1/events", body)
    assert status == 200, answer


def open_incidents(daemon):
    return [i for i in daemon.incidents() if i["state"] in ("open", "acknowledged")]


def incident_detail(daemon, iid):
    status, detail = daemon.request("GET", f"/api/v1/incidents/{iid}")
    assert status == 200, detail
    return detail


def tocsinctl(daemon, *args):
    return subprocess.run([TOCSINCTL, "--url", f"http://127.0.0.1:{daemon.api_port}", "--token", ADMIN_TOKEN, *args],
                          capture_output=True, text=True, timeout=20)


def test_api_ci_enriches_incidents_keeps_history_and_survives_restart(env):
    daemon = env
    assert daemon.request("POST", "/api/v1/cmdb/cis", PAY_DB, token=VIEWER_TOKEN)[0] == 403
    status, ci = daemon.request("POST", "/api/v1/cmdb/cis", PAY_DB)
    assert status == 201, ci
    assert ci["source"] == "api" and ci["updated_by"] == "admin"

    # The same validation as the files, with a clear message.
    status, err = daemon.request("POST", "/api/v1/cmdb/cis", {"id": "other", "addresses": ["10.0.1.31"]})
    assert status == 409 and "duplicate address 10.0.1.31" in err["error"], err
    status, err = daemon.request("POST", "/api/v1/cmdb/cis", {"id": "other", "depends_on": ["nowhere"]})
    assert status == 400 and "unknown CI 'nowhere'" in err["error"], err
    status, err = daemon.request("POST", "/api/v1/cmdb/cis", PAY_DB)
    assert status == 409 and "already exists" in err["error"], err

    event(daemon)
    incident = wait_until(lambda: open_incidents(daemon), what="the incident")[0]
    assert incident["ci"] == "pay-db01"
    assert incident["group"] == "dba"
    assert incident["criticality"] == "medium"
    assert incident["services"] == ["payments"]
    assert incident["recurrence_count"] == 0

    changed = dict(PAY_DB, criticality="critical")
    status, ci = daemon.request("PUT", "/api/v1/cmdb/cis/pay-db01", changed)
    assert status == 200 and ci["criticality"] == "critical", ci
    status, history = daemon.request("GET", "/api/v1/cmdb/cis/pay-db01/history")
    assert status == 200, history
    entries = history["history"]
    assert [(h["action"], h["actor"], h["source"]) for h in entries] == [
        ("replaced", "admin", "api"), ("created", "admin", "api")]
    assert entries[0]["changes"] == {"criticality": {"before": "medium", "after": "critical"}}

    # tocsinctl reads the same.
    out = tocsinctl(daemon, "ci", "history", "pay-db01")
    assert out.returncode == 0, out.stderr
    assert "replaced" in out.stdout and "criticality" in out.stdout
    out = tocsinctl(daemon, "ci", "get", "pay-db01")
    assert out.returncode == 0 and '"criticality":"critical"' in out.stdout, out.stdout

    # The alert state survives the swap of the CMDB snapshot: the next event
    # counts on the same incident.
    event(daemon)
    wait_until(lambda: open_incidents(daemon)[0]["event_count"] == 2, what="the repeat on the same incident")
    assert len(open_incidents(daemon)) == 1

    daemon.stop()
    daemon.start()
    status, ci = daemon.request("GET", "/api/v1/cmdb/cis/pay-db01")
    assert status == 200, ci
    assert ci["criticality"] == "critical" and ci["source"] == "api"
    # ... and still enriches: clear, then a new incident on it is critical.
    event(daemon, "clear")
    wait_until(lambda: not open_incidents(daemon), what="the clear")
    event(daemon)
    fresh = wait_until(lambda: open_incidents(daemon), what="a new incident")[0]
    assert fresh["criticality"] == "critical" and fresh["recurrence_count"] == 1

    out = tocsinctl(daemon, "ci", "rm", "pay-db01")
    assert out.returncode == 0, out.stderr
    assert daemon.request("GET", "/api/v1/cmdb/cis/pay-db01")[0] == 404


def test_recurring_incidents_are_problem_candidates_and_resolved_ones_auto_close(env):
    daemon = env
    assert daemon.request("POST", "/api/v1/cmdb/cis", PAY_DB)[0] == 201
    ids = []
    # A different fault each time: the same one raised and cleared three times
    # in a row would be flapping.
    for n, name in enumerate(["disk_full", "fan_failure", "psu_failure"]):
        event(daemon, name=name)
        ids.append(wait_until(lambda: open_incidents(daemon), what=f"incident {n + 1}")[0]["id"])
        event(daemon, "clear", name=name)
        wait_until(lambda: not open_incidents(daemon), what=f"incident {n + 1} resolved")
    third = incident_detail(daemon, ids[2])
    assert third["recurrence_count"] == 2
    assert any(t["action"] == "recurring" and "problem candidate" in t["text"] for t in third["timeline"])

    status, answer = daemon.request("GET", "/api/v1/problems?window=1d&min=3")
    assert status == 200, answer
    [problem] = answer["problems"]
    assert problem["ci"] == "pay-db01" and problem["incident_count"] == 3
    assert problem["last_incident"]["id"] == ids[2]
    assert problem["services"] == ["payments"]
    assert daemon.request("GET", "/api/v1/problems?window=1d&min=4")[1]["problems"] == []
    assert daemon.request("GET", "/api/v1/problems?window=soon")[0] == 400

    # Resolved incidents close by themselves 2 s after resolution (bounded wait).
    def closed(iid):
        return incident_detail(daemon, iid)["state"] == "closed"
    for iid in ids:
        wait_until(lambda: closed(iid), timeout=15, what=f"incident {iid} auto-closed")
    detail = incident_detail(daemon, ids[0])
    closing = [t for t in detail["timeline"] if t["action"] == "closed"]
    assert len(closing) == 1 and closing[0]["actor"] == "tocsin"
    assert daemon.metric("tocsin_incidents_auto_closed_total") >= 3

    # A reopened incident is not closed again; one resolved just before a
    # stop is closed at once after the restart.
    status, _ = daemon.request("POST", f"/api/v1/incidents/{ids[0]}/reopen", {"comment": "again"})
    assert status == 200
    event(daemon, name="link_down")
    last = wait_until(lambda: [i for i in open_incidents(daemon) if i["id"] != ids[0]], what="a fourth incident")[0]
    status, _ = daemon.request("POST", f"/api/v1/incidents/{last['id']}/resolve")
    assert status == 200
    resolved_at = time.monotonic()
    daemon.stop()
    wait_until(lambda: time.monotonic() - resolved_at > 2.5, what="the auto-close delay to pass while stopped")
    daemon.start()
    wait_until(lambda: closed(last["id"]), timeout=10, what="the overdue incident closed after the restart")
    assert incident_detail(daemon, ids[0])["state"] == "open"


def test_api_changes_stay_on_top_of_the_files_across_a_reload(tmp_path):
    cmdb = tmp_path / "cmdb.yaml"
    cmdb.write_text("- {id: core-sw1, addresses: [10.0.0.1], owner_group: network-ops, criticality: critical}\n"
                    "- {id: db1, addresses: [10.0.1.31], owner_group: dba, depends_on: [core-sw1]}\n")
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port, extra_yaml=f"cmdb:\n  files: [{cmdb}]\n")
    daemon.start()
    try:
        status, ci = daemon.request("GET", "/api/v1/cmdb/cis/db1")
        assert status == 200 and ci["source"] == "file" and ci["origin"].endswith("cmdb.yaml:2"), ci
        # Replace a file CI through the API, then change the file and reload.
        changed = {k: v for k, v in ci.items() if k not in ("source", "origin")}
        changed["owner_group"] = "storage"
        assert daemon.request("PUT", "/api/v1/cmdb/cis/db1", changed)[0] == 200
        assert daemon.request("DELETE", "/api/v1/cmdb/cis/core-sw1")[0] == 409  # db1 depends on it

        cmdb.write_text(cmdb.read_text().replace("criticality: critical", "criticality: high") +
                        "- {id: lb1, addresses: [10.0.3.1], owner_group: web}\n")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "configuration reloaded" in daemon.log_text(), what="the reload in the log")
        status, ci = daemon.request("GET", "/api/v1/cmdb/cis/db1")
        assert status == 200 and ci["owner_group"] == "storage" and ci["source"] == "api", ci
        assert daemon.request("GET", "/api/v1/cmdb/cis/core-sw1")[1]["criticality"] == "high"
        status, history = daemon.request("GET", "/api/v1/cmdb/cis/core-sw1/history")
        assert status == 200
        [entry] = history["history"]
        assert entry["source"] == "file" and entry["action"] == "changed" and entry["actor"] == "config"
        assert entry["changes"] == {"criticality": {"before": "critical", "after": "high"}}

        # The reloaded snapshot enriches: an alert on the new file CI and one on
        # the API-owned CI.
        status, _ = daemon.request("POST", "/api/v1/events", [
            {"name": "vip_down", "resource": "10.0.3.1", "severity": "major"},
            {"name": "disk_full", "resource": "10.0.1.31", "severity": "major"}])
        assert status == 200
        incidents = wait_until(lambda: len(open_incidents(daemon)) == 2 and open_incidents(daemon),
                               what="two incidents")
        assert sorted((i["ci"], i["group"]) for i in incidents) == [("db1", "storage"), ("lb1", "web")]
    finally:
        daemon.stop()
        smtp.stop()
