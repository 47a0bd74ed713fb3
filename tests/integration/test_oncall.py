"""On call end to end with the real daemon: the on-call query answers who is
on duty at two given times, an override posted through the API changes it and
survives a restart, a new incident is assigned to the on-call primary, the
duty log keeps a hand-over note, tocsinctl shows the same, and
--check-config reports roster warnings without failing."""

import signal
import subprocess
import time

import pytest

from harness import ADMIN_TOKEN, TOCSINCTL, TOCSIND, VIEWER_TOKEN, Tocsind, wait_until

ONCALL_YAML = """
oncall:
  users:
    - id: alice
      name: Alice Martin
      time_zone: Europe/Paris
      contacts: [{sms: "+33 6 39 98 00 01"}, {email: alice@test.local}]
    - id: bob
      name: Bob Durand
      contacts: [{email: bob@test.local}]
    - id: carol
      name: Carol Petit
      contacts: [{sms: "+33639980003"}]
  groups:
    - id: noc
      members: [alice, bob, carol]
      lead: carol
  rosters:
    - group: noc
      rotations:
        - participants: [alice, bob]
          shift: 7d
          handover: "09:00"
          time_zone: Europe/Paris
          start: "2026-01-05"
        - layer: secondary
          participants: [carol]
          shift: 7d
          time_zone: Europe/Paris
          start: "2026-01-05"
"""


@pytest.fixture
def daemon(tmp_path):
    d = Tocsind(str(tmp_path), extra_yaml=ONCALL_YAML)
    d.start()
    yield d
    d.stop()


def on_duty(daemon, at=None, layer=0):
    status, body = daemon.request("GET", "/api/v1/oncall?group=noc" + (f"&at={at}" if at else ""))
    assert status == 200, body
    return body["groups"][0]["layers"][layer]


def ids(layer):
    return [p["id"] for p in layer["on_duty"]]


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def open_incident(daemon, resource):
    status, body = daemon.request("POST", "/api/v1/events", {
        "name": "disk_full", "resource": resource, "severity": "critical", "summary": f"/var full on {resource}"})
    assert status == 200, body
    found = wait_until(lambda: [i for i in daemon.incidents() if i["ci"] == resource], what=f"an incident on {resource}")
    status, detail = daemon.request("GET", f"/api/v1/incidents/{found[0]['id']}")
    assert status == 200, detail
    return detail


def ctl(daemon, *args, token=ADMIN_TOKEN):
    return subprocess.run([TOCSINCTL, "--url", f"http://127.0.0.1:{daemon.api_port}", "--token", token, *args],
                          capture_output=True, text=True, timeout=30)


def test_on_call_query_answers_who_is_on_duty_at_two_times(daemon):
    # Monday 2026-01-05 09:00 Paris starts alice's week, the next Monday bob's.
    first = on_duty(daemon, "2026-01-06T12:00:00Z")
    assert ids(first) == ["alice"]
    alice = first["on_duty"][0]
    assert alice["name"] == "Alice Martin"
    assert alice["contacts"] == [{"channel": "sms", "address": "+33 6 39 98 00 01"},
                                 {"channel": "email", "address": "alice@test.local"}]
    assert alice["shift_start"] == "2026-01-05T08:00:00.000Z"
    assert alice["shift_end"] == "2026-01-12T08:00:00.000Z"
    assert first["override"] is None
    second = on_duty(daemon, "2026-01-13T12:00:00%2B01:00")
    assert ids(second) == ["bob"]
    assert ids(on_duty(daemon, "2026-01-13T12:00:00Z", layer=1)) == ["carol"]

    status, body = daemon.request("GET", "/api/v1/oncall?group=web")
    assert status == 404 and body["field"] == "group"
    status, body = daemon.request("GET", "/api/v1/oncall?group=noc&at=yesterday")
    assert status == 400 and body["field"] == "at"

    status, cal = daemon.request("GET", "/api/v1/oncall/calendar?group=noc&days=14&from=2026-01-05T08:00:00Z")
    assert status == 200, cal
    shifts = cal["groups"][0]["layers"][0]["shifts"]
    assert [(s["person"], s["start"]) for s in shifts] == [
        ("alice", "2026-01-05T08:00:00.000Z"), ("bob", "2026-01-12T08:00:00.000Z")]
    status, body = daemon.request("GET", "/api/v1/oncall/calendar?group=noc&days=400")
    assert status == 400 and body["field"] == "days"

    r = ctl(daemon, "oncall", "--group", "noc", "--at", "2026-01-06T12:00:00Z", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    assert "alice (Alice Martin)" in r.stdout and "sms +33 6 39 98 00 01" in r.stdout
    assert "carol" in r.stdout


def test_override_changes_who_is_on_duty_assigns_new_incidents_and_survives_a_restart(daemon):
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "carol", "start": "2030-01-08T10:00:00Z", "end": "2030-01-08T12:00:00Z",
        "reason": "alice at the dentist"}, token=VIEWER_TOKEN)
    assert status == 403, body
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "zoe", "start": "2030-01-08T10:00:00Z", "end": "2030-01-08T12:00:00Z",
        "reason": "x"})
    assert status == 400 and body["field"] == "person", body
    assert "unknown person 'zoe'" in body["error"]
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "carol", "start": "2030-01-08T12:00:00Z", "end": "2030-01-08T10:00:00Z",
        "reason": "x"})
    assert status == 400 and body["error"] == "end must be after start", body
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "carol", "start": "2030-01-08T10:00:00Z", "end": "2030-01-08T12:00:00Z",
        "reason": "x", "color": "red"})
    assert status == 400 and body["field"] == "color", body
    assert daemon.metric("tocsin_oncall_rejected_total", reason="invalid_value") == 2
    assert daemon.metric("tocsin_oncall_rejected_total", reason="unknown_field") == 1

    before = ids(on_duty(daemon, "2030-01-08T11:00:00Z"))
    assert before in (["alice"], ["bob"])
    status, future = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "carol", "start": "2030-01-08T10:00:00Z", "end": "2030-01-08T12:00:00Z",
        "reason": "alice at the dentist"})
    assert status == 201, future
    assert future["created_by"] == "admin"
    during = on_duty(daemon, "2030-01-08T11:00:00Z")
    assert ids(during) == ["carol"]
    assert during["override"]["id"] == future["id"]
    assert during["override"]["reason"] == "alice at the dentist"
    assert ids(on_duty(daemon, "2030-01-08T12:00:00Z")) == before, "the end is exclusive"

    # An override in force now makes carol the assignee of the next incident.
    now_ms = int(time.time() * 1000)
    status, current = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "layer": "primary", "person": "carol", "start": iso(now_ms - 60_000),
        "end": iso(now_ms + 3_600_000), "reason": "covering the morning"})
    assert status == 201, current
    incident = open_incident(daemon, "db1")
    assert incident["group"] == "noc"
    assert incident["assignee"] == "carol"
    assigned = [t for t in incident["timeline"] if t["action"] == "assigned"]
    assert [t["text"] for t in assigned] == ["assigned to carol: on call primary for noc"]
    assert daemon.metric("tocsin_incident_assignments_total", by="roster") == 1

    daemon.stop()
    daemon.start()
    assert ids(on_duty(daemon, "2030-01-08T11:00:00Z")) == ["carol"], "the override was stored"
    status, listed = daemon.request("GET", "/api/v1/oncall/overrides?group=noc")
    assert status == 200, listed
    assert [o["id"] for o in listed["overrides"]] == [future["id"], current["id"]]
    assert open_incident(daemon, "db2")["assignee"] == "carol", "the restarted correlator has the override"

    r = ctl(daemon, "oncall", "override", "rm", str(future["id"]))
    assert r.returncode == 0, r.stderr
    assert ids(on_duty(daemon, "2030-01-08T11:00:00Z")) == before
    status, body = daemon.request("DELETE", f"/api/v1/oncall/overrides/{future['id']}")
    assert status == 404, body


def test_a_reload_keeps_the_stored_overrides_in_force(daemon):
    now_ms = int(time.time() * 1000)
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "carol", "start": iso(now_ms - 60_000), "end": iso(now_ms + 3_600_000),
        "reason": "covering"})
    assert status == 201, body
    # The reloaded roster names a new user; the stored override stays merged in.
    daemon.write_config(ONCALL_YAML.replace("  groups:\n", "    - id: dan\n      contacts: [{email: dan@test.local}]\n"
                                                         "  groups:\n"))
    daemon.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "configuration reloaded" in daemon.log_text(), what="the reload in the log")
    assert ids(on_duty(daemon)) == ["carol"]
    assert open_incident(daemon, "db3")["assignee"] == "carol"
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "dan", "start": iso(now_ms - 60_000), "end": iso(now_ms + 3_600_000),
        "reason": "dan is new"})
    assert status == 201, body
    assert ids(on_duty(daemon)) == ["dan"], "the last added override wins"


def test_without_anybody_on_duty_the_incident_stays_unassigned_and_is_counted(tmp_path):
    d = Tocsind(str(tmp_path), extra_yaml=ONCALL_YAML.replace("start: \"2026-01-05\"", "start: \"2099-01-05\""))
    d.start()
    try:
        incident = open_incident(d, "db9")
        assert incident["assignee"] == ""
        assert [t["text"] for t in incident["timeline"] if t["action"] == "assigned"] == [
            "nobody on call primary for noc: left unassigned"]
        assert d.metric("tocsin_incident_assignments_total", by="nobody_on_call") == 1
        status, body = d.request("GET", "/api/v1/oncall?group=noc")
        assert [w["kind"] for w in body["warnings"]].count("gap") == 1
    finally:
        d.stop()


def test_duty_log_note_is_listed_and_kept_across_a_restart(daemon):
    status, note = daemon.request("POST", "/api/v1/oncall/log", {
        "group": "noc", "text": "r1 uplink flapping since 02:00, carrier ticket 4711 open"})
    assert status == 201, note
    assert note["author"] == "admin"
    status, body = daemon.request("POST", "/api/v1/oncall/log", {"group": "noc", "text": "x" * 5000})
    assert status == 400 and body["field"] == "text", body
    assert daemon.metric("tocsin_oncall_rejected_total", reason="invalid_value") == 1
    status, body = daemon.request("POST", "/api/v1/oncall/log", {"group": "noc", "text": "hi"}, token=VIEWER_TOKEN)
    assert status == 403, body
    r = ctl(daemon, "oncall", "log", "add", "--group", "noc", "--text", "carrier fixed r1 at 06:40")
    assert r.returncode == 0, r.stderr

    daemon.stop()
    daemon.start()
    status, body = daemon.request("GET", f"/api/v1/oncall/log?group=noc&since={note['at']}", token=VIEWER_TOKEN)
    assert status == 200, body
    assert [n["text"] for n in body["notes"]] == [
        "carrier fixed r1 at 06:40", "r1 uplink flapping since 02:00, carrier ticket 4711 open"]
    r = ctl(daemon, "oncall", "log", "list", "--group", "noc", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    assert "carrier ticket 4711" in r.stdout


def test_check_config_prints_roster_warnings_but_accepts_the_file(tmp_path):
    d = Tocsind(str(tmp_path), extra_yaml=ONCALL_YAML.replace(
        "      contacts: [{sms: \"+33639980003\"}]\n", "") .replace(
        "          handover: \"09:00\"\n", "          handover: \"09:00\"\n          window: \"08:00-20:00\"\n", 1))
    r = subprocess.run([TOCSIND, "--check-config", d.config], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert f"{d.config}: warning: carol has no contact method and cannot be paged" in r.stdout
    assert f"{d.config}: warning: nobody is on primary duty for group noc from " in r.stdout
    assert r.stdout.rstrip().endswith(": OK")


def test_check_config_refuses_an_assignment_rule_naming_an_unknown_person(tmp_path):
    rules = "assignment:\n  rules:\n    - {event: fan_failure, group: noc, assignee: carol}\n" \
            "    - {event: power_loss, group: noc, assignee: zoe}\n"
    d = Tocsind(str(tmp_path), extra_yaml=ONCALL_YAML + rules)
    r = subprocess.run([TOCSIND, "--check-config", d.config], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r.stdout
    with open(d.config) as f:
        line = next(n for n, text in enumerate(f, 1) if "assignee: zoe" in text)
    assert r.stderr.splitlines()[0] == \
        f"{d.config}:{line}: assignment.rules[1].assignee: unknown person 'zoe': not in oncall.users[]", r.stderr
