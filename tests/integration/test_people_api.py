"""People and groups of the on-call directory through the API, end to end
with the real daemon: a person and a group created through the API take an
incident when an override puts the person on call; a configured person is
replaced and then deleted once no group names them; the changes survive a
restart and a reload; a bad body is refused with 400 naming the field and is
counted; tocsinctl lists and changes the same."""

import json
import signal
import subprocess
import time

import pytest

from harness import ADMIN_TOKEN, TOCSINCTL, VIEWER_TOKEN, Tocsind, wait_until

# Incidents of unknown resources go to group noc (correlation.default_group),
# which only the API defines.
ONCALL_YAML = """
oncall:
  users:
    - id: alice
      name: Alice Martin
      time_zone: Europe/Paris
      contacts: [{sms: "+33 6 39 98 00 01"}]
    - id: bob
      name: Bob Durand
      contacts: [{email: bob@test.local}]
  groups:
    - id: dba
      members: [alice, bob]
      lead: alice
  rosters:
    - group: dba
      rotations:
        - participants: [alice]
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


def ctl(daemon, *args, token=ADMIN_TOKEN, stdin=None):
    return subprocess.run([TOCSINCTL, "--url", f"http://127.0.0.1:{daemon.api_port}", "--token", token, *args],
                          capture_output=True, text=True, timeout=30, input=stdin)


def ids(daemon, kind):
    status, body = daemon.request("GET", f"/api/v1/{kind}", token=VIEWER_TOKEN)
    assert status == 200, body
    return [e["id"] for e in body[kind]]


def on_duty(daemon, group):
    status, body = daemon.request("GET", f"/api/v1/oncall?group={group}")
    assert status == 200, body
    return [p["id"] for p in body["groups"][0]["layers"][0]["on_duty"]]


def test_a_person_and_a_group_of_the_api_take_an_incident_and_survive_a_restart_and_a_reload(daemon):
    status, zoe = daemon.request("POST", "/api/v1/people", {
        "id": "zoe", "name": "Zoé Petit", "time_zone": "Europe/Paris",
        "contacts": [{"sms": "+33 6 39 98 00 09"}, {"email": "zoe@test.local"}]})
    assert status == 201, zoe
    assert zoe["source"] == "api" and zoe["updated_by"] == "admin"
    status, noc = daemon.request("POST", "/api/v1/groups", {"id": "noc", "members": ["zoe", "alice"], "lead": "zoe"})
    assert status == 201, noc
    assert noc["name"] == "noc", "the name defaults to the id"

    now_ms = int(time.time() * 1000)
    status, body = daemon.request("POST", "/api/v1/oncall/overrides", {
        "group": "noc", "person": "zoe", "start": iso(now_ms - 60_000), "end": iso(now_ms + 3_600_000),
        "reason": "zoe covers the new group"})
    assert status == 201, body
    assert on_duty(daemon, "noc") == ["zoe"]
    incident = open_incident(daemon, "db1")
    assert incident["group"] == "noc"
    assert incident["assignee"] == "zoe"

    # A GET answer is accepted back by PUT: bob of the configuration replaced.
    status, bob = daemon.request("GET", "/api/v1/people/bob")
    assert status == 200 and bob["source"] == "config", bob
    bob["name"] = "Robert Durand"
    status, body = daemon.request("PUT", "/api/v1/people/bob", bob)
    assert status == 200, body
    assert body["source"] == "api" and body["name"] == "Robert Durand"

    # bob is a member of dba: deleting him is refused until dba lets him go.
    status, body = daemon.request("DELETE", "/api/v1/people/bob")
    assert status == 400 and body["field"] == "id", body
    assert "group dba" in body["error"]
    status, dba = daemon.request("GET", "/api/v1/groups/dba")
    assert status == 200, dba
    dba["members"] = ["alice"]
    status, body = daemon.request("PUT", "/api/v1/groups/dba", dba)
    assert status == 200, body
    status, body = daemon.request("DELETE", "/api/v1/people/bob")
    assert status == 200, body
    status, body = daemon.request("GET", "/api/v1/people/bob")
    assert status == 404, body
    status, history = daemon.request("GET", "/api/v1/people/bob/history", token=VIEWER_TOKEN)
    assert status == 200, history
    assert [h["action"] for h in history["history"]] == ["deleted", "replaced"]
    assert history["history"][1]["before"]["name"] == "Bob Durand"
    assert history["history"][1]["after"]["name"] == "Robert Durand"
    assert history["history"][0]["after"] is None

    daemon.stop()
    daemon.start()
    assert ids(daemon, "people") == ["alice", "zoe"], "the overlay was stored"
    assert ids(daemon, "groups") == ["dba", "noc"]
    assert on_duty(daemon, "noc") == ["zoe"]
    assert open_incident(daemon, "db2")["assignee"] == "zoe", "the restarted correlator has the API's group"

    # The reloaded configuration names a new user; the overlay stays on top.
    daemon.write_config(ONCALL_YAML.replace("  groups:\n", "    - id: dan\n      contacts: [{email: dan@test.local}]\n"
                                                         "  groups:\n"))
    daemon.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "configuration reloaded" in daemon.log_text(), what="the reload in the log")
    assert ids(daemon, "people") == ["alice", "dan", "zoe"]
    status, dba = daemon.request("GET", "/api/v1/groups/dba")
    assert dba["members"] == ["alice"] and dba["source"] == "api"
    assert open_incident(daemon, "db3")["assignee"] == "zoe"


def test_a_bad_body_is_refused_naming_the_field_and_counted(daemon):
    before = daemon.metric("tocsin_oncall_rejected_total", reason="invalid_value")
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann", "contacts": [{"sms": "06 12 34"}]})
    assert status == 400 and body["field"] == "contacts[0].sms", body
    assert daemon.metric("tocsin_oncall_rejected_total", reason="invalid_value") == before + 1
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann", "time_zone": "Europe/Atlantis"})
    assert status == 400 and body["field"] == "time_zone", body
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann", "contacts": [{"email": "yann"}]})
    assert status == 400 and body["field"] == "contacts[0].email", body
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann", "phone": "+33639980001"})
    assert status == 400 and body["field"] == "phone", body
    assert daemon.metric("tocsin_oncall_rejected_total", reason="unknown_field") == 1
    status, body = daemon.request("POST", "/api/v1/groups", {"id": "web", "members": ["alice"], "manager": "nobody"})
    assert status == 400 and body["field"] == "manager", body
    assert "unknown person 'nobody'" in body["error"]
    assert daemon.metric("tocsin_oncall_rejected_total", reason="inconsistent") == 1
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann", "name": "y" * 70_000})
    assert status == 413, body
    assert daemon.metric("tocsin_oncall_rejected_total", reason="too_large") == 1
    status, body = daemon.request("POST", "/api/v1/people", {"id": "yann"}, token=VIEWER_TOKEN)
    assert status == 403, body
    assert ids(daemon, "people") == ["alice", "bob"], "nothing was stored"
    assert ids(daemon, "groups") == ["dba"]


def test_tocsinctl_lists_adds_and_removes_people_and_groups(daemon):
    r = ctl(daemon, "people", "add", "--id", "zoe", "--name", "Zoé Petit", "--sms", "+33639980009",
            "--email", "zoe@test.local")
    assert r.returncode == 0, r.stderr
    assert "user zoe created" in r.stdout
    r = ctl(daemon, "groups", "add", "--id", "noc", "--members", "zoe,alice", "--lead", "zoe")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "people", "list", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    zoe = next(line for line in r.stdout.splitlines() if line.startswith("zoe"))
    assert "api" in zoe and "sms +33639980009, email zoe@test.local" in zoe
    r = ctl(daemon, "groups", "list", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    assert "zoe,alice" in r.stdout
    r = ctl(daemon, "people", "show", "zoe", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    shown["time_zone"] = "Europe/Paris"
    r = ctl(daemon, "people", "put", "-", stdin=json.dumps(shown))
    assert r.returncode == 0, r.stderr
    assert "user zoe replaced" in r.stdout
    r = ctl(daemon, "people", "remove", "zoe")
    assert r.returncode == 1 and "group noc" in r.stderr, r.stderr
    r = ctl(daemon, "groups", "remove", "noc")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "people", "remove", "zoe")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "people", "history", "zoe", token=VIEWER_TOKEN)
    assert r.returncode == 0, r.stderr
    assert [line.split()[2] for line in r.stdout.splitlines()] == ["deleted", "replaced", "created"]
    r = ctl(daemon, "people", "add", "--id", "x", "--sms", "12")
    assert r.returncode == 1 and "(field contacts[0].sms)" in r.stderr, r.stderr
