"""HTTP webhooks end to end: generic JSON events and a real
prometheus-alertmanager become incidents and clear them; bad bodies get clear
refusals that are counted; a 200 means the events survive kill -9."""

import http.client
import json
import os
import shutil

import pytest

from harness import ADMIN_TOKEN, VIEWER_TOKEN, Alertmanager, Tocsind, wait_until


@pytest.fixture
def daemon(tmp_path):
    d = Tocsind(str(tmp_path))
    d.start()
    yield d
    d.stop()


def post(daemon, path, body, token=ADMIN_TOKEN, content_type="application/json"):
    """POST raw bytes, as curl --data-binary would; returns (status, parsed body)."""
    conn = http.client.HTTPConnection("127.0.0.1", daemon.api_port, timeout=20)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", path, body=body if isinstance(body, bytes) else body.encode(), headers=headers)
        r = conn.getresponse()
        text = r.read().decode()
        return r.status, (json.loads(text) if text else None)
    finally:
        conn.close()


def incident_for(daemon, ci, **filters):
    found = wait_until(lambda: [i for i in daemon.incidents(limit=1000, **filters) if i["ci"] == ci],
                       what=f"an incident on {ci} {filters}")
    assert len(found) == 1, found
    return found[0]


def test_generic_event_opens_incident_and_its_clear_resolves_it(daemon):
    status, body = post(daemon, "/api/v1/events", json.dumps({
        "name": "disk_full", "resource": "db1", "severity": "critical", "summary": "/var is 95% full on db1",
        "attributes": {"mount": "/var", "used_percent": 95}, "fingerprint": ["mount"],
        "time": "2024-03-01T10:00:00Z"}))
    assert (status, body) == (200, {"accepted": 1})
    incident = incident_for(daemon, "db1", state="open")
    assert incident["title"] == "/var is 95% full on db1"
    assert incident["severity"] == "critical"
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert detail["alerts"][0]["name"] == "disk_full"
    assert detail["alerts"][0]["attributes"]["mount"] == "/var"
    assert detail["alerts"][0]["attributes"]["used_percent"] == "95"

    # A batch: a repeat of the same disk, another mount, and the clear of /var.
    status, body = post(daemon, "/api/v1/events", json.dumps([
        {"name": "disk_full", "resource": "db1", "attributes": {"mount": "/var"}, "fingerprint": ["mount"]},
        {"name": "disk_full", "resource": "db1", "attributes": {"mount": "/home"}, "fingerprint": ["mount"]},
        {"name": "disk_full", "resource": "db1", "severity": "clear", "attributes": {"mount": "/var"},
         "fingerprint": ["mount"]},
    ]))
    assert (status, body) == (200, {"accepted": 3})
    resolved = daemon.incidents(state="resolved")
    assert [i["id"] for i in resolved] == [incident["id"]]
    assert resolved[0]["event_count"] == 3
    assert len(daemon.incidents(state="open")) == 1
    assert daemon.metric("tocsin_http_events_total", endpoint="events", outcome="accepted") == 4


def test_bad_bodies_are_refused_with_the_field_and_counted(daemon):
    status, body = post(daemon, "/api/v1/events", '{"name": "x", "resource": ')
    assert status == 400
    assert body["error"].startswith("invalid JSON at byte 26"), body
    assert "field" not in body

    status, body = post(daemon, "/api/v1/events",
                        json.dumps([{"name": "a", "resource": "r"}, {"name": "b", "resource": "r", "severity": 3}]))
    assert status == 400
    assert body == {"error": "[1].severity must be a string, not a number", "field": "[1].severity"}

    status, body = post(daemon, "/api/v1/integrations/alertmanager",
                        json.dumps({"alerts": [{"status": "firing", "labels": {"alertname": "A", "severity": 1}}]}))
    assert status == 400
    assert body["field"] == "alerts[0].labels.severity"

    status, body = post(daemon, "/api/v1/events", json.dumps({"name": "a", "resource": "r", "severty": "major"}))
    assert (status, body["field"]) == (400, "severty")

    assert daemon.metric("tocsin_http_payloads_rejected_total", endpoint="events", reason="invalid_json") == 1
    assert daemon.metric("tocsin_http_payloads_rejected_total", endpoint="events", reason="wrong_type") == 1
    assert daemon.metric("tocsin_http_payloads_rejected_total", endpoint="alertmanager", reason="wrong_type") == 1
    assert daemon.metric("tocsin_http_payloads_rejected_total", endpoint="events", reason="unknown_field") == 1
    assert daemon.metric("tocsin_http_rejected_total", reason="bad_request") == 4
    assert daemon.incidents() == [], "a refused batch must not be taken in part"


def test_oversized_body_is_refused_with_413_and_counted(daemon):
    big = json.dumps({"name": "a", "resource": "r", "summary": "x" * (1536 * 1024)})
    status, body = post(daemon, "/api/v1/events", big)
    assert status == 413
    assert "larger than the limit" in body["error"]
    assert daemon.metric("tocsin_http_rejected_total", reason="body_too_large") == 1
    # The daemon is still serving.
    assert post(daemon, "/api/v1/events", '{"name": "a", "resource": "r"}') == (200, {"accepted": 1})


def test_ingest_needs_an_operator_token(daemon):
    event = '{"name": "a", "resource": "r"}'
    status, body = post(daemon, "/api/v1/events", event, token=None)
    assert status == 401
    status, body = post(daemon, "/api/v1/events", event, token="wrong-token")
    assert status == 401
    status, body = post(daemon, "/api/v1/integrations/alertmanager", '{"alerts": []}', token=VIEWER_TOKEN)
    assert status == 403
    assert "operator" in body["error"]
    assert daemon.metric("tocsin_http_rejected_total", reason="unauthorized") == 2
    assert daemon.metric("tocsin_http_rejected_total", reason="forbidden") == 1
    assert daemon.incidents() == []


def test_200_means_the_events_survive_kill9(tmp_path):
    daemon = Tocsind(str(tmp_path))
    daemon.start()
    try:
        for batch in range(3):
            events = [{"name": "probe_failed", "resource": f"host-{batch}-{i}", "severity": "major"} for i in range(300)]
            status, body = post(daemon, "/api/v1/events", json.dumps(events))
            assert (status, body) == (200, {"accepted": 300})
        daemon.kill9()  # right after the last reply: nothing may be waiting in memory
        daemon.start()
        assert len(daemon.incidents(state="open", limit=1000)) == 900
    finally:
        daemon.stop()


def test_repeats_under_load_reach_the_api_and_survive_kill9(tmp_path):
    # Batches of 300 events are commits under load: their repeat counters are
    # journaled and written to the incidents a moment later (store.repeat_flush_ms).
    daemon = Tocsind(str(tmp_path))
    daemon.start()
    try:
        events = json.dumps([{"name": "probe_failed", "resource": f"host-{i}", "severity": "major"} for i in range(300)])
        for _ in range(5):
            assert post(daemon, "/api/v1/events", events) == (200, {"accepted": 300})
        wait_until(lambda: sorted({i["event_count"] for i in daemon.incidents(limit=1000)}) == [5], timeout=10,
                   what="every incident at 5 events")
        assert len(daemon.incidents(limit=1000)) == 300
        for _ in range(4):
            assert post(daemon, "/api/v1/events", events) == (200, {"accepted": 300})
        daemon.kill9()  # right after the replies: the last repeats are most likely only in the journal
        daemon.start()
        found = daemon.incidents(limit=1000)
        assert len(found) == 300
        assert sorted({i["event_count"] for i in found}) == [9]
        status, body = daemon.request("GET", "/api/v1/alerts?limit=1000")
        assert status == 200, body
        assert sorted({a["count"] for a in body["alerts"]}) == [9]
    finally:
        daemon.stop()


@pytest.fixture
def with_alertmanager(tmp_path):
    if not os.access(Alertmanager.BINARY, os.X_OK) or shutil.which("prometheus-alertmanager") is None:
        pytest.fail("prometheus-alertmanager is not installed (scripts/install-deps.sh test)")
    daemon = Tocsind(str(tmp_path))
    daemon.start()
    am = Alertmanager(str(tmp_path), f"http://127.0.0.1:{daemon.api_port}/api/v1/integrations/alertmanager",
                      ADMIN_TOKEN)
    am.start()
    yield daemon, am
    am.stop()
    daemon.stop()


def test_alertmanager_alerts_become_incidents_and_resolving_them_resolves_the_incidents(with_alertmanager):
    daemon, am = with_alertmanager
    host_down = {"labels": {"alertname": "HostDown", "instance": "db1:9100", "job": "node", "severity": "critical"},
                 "annotations": {"summary": "db1 is down", "description": "node exporter has not answered for 5m"},
                 "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0"}
    disk_full = {"labels": {"alertname": "DiskFull", "instance": "db2:9100", "mountpoint": "/var",
                            "severity": "warning"},
                 "annotations": {"description": "/var is 95% full"}}
    am.post_alerts([host_down, disk_full])

    db1 = incident_for(daemon, "db1:9100", state="open")
    assert db1["title"] == "db1 is down"
    assert db1["severity"] == "critical"
    db2 = incident_for(daemon, "db2:9100", state="open")
    assert db2["title"] == "/var is 95% full"
    assert db2["severity"] == "warning"
    status, detail = daemon.request("GET", f"/api/v1/incidents/{db1['id']}")
    alert = detail["alerts"][0]
    assert alert["name"] == "HostDown"
    assert alert["attributes"]["job"] == "node"
    assert len(alert["attributes"]["alertmanager.fingerprint"]) == 16

    # Resolved the way Prometheus does it: the same alert with endsAt in the past.
    for a in (host_down, disk_full):
        a["startsAt"] = "2020-01-01T00:00:00Z"
        a["endsAt"] = "2020-01-01T00:05:00Z"
    am.post_alerts([host_down, disk_full])
    wait_until(lambda: len(daemon.incidents(state="resolved")) == 2, what="both incidents resolved")
    assert daemon.incidents(state="open") == []
    status, detail = daemon.request("GET", f"/api/v1/incidents/{db1['id']}")
    assert detail["alerts"][0]["state"] == "resolved"
    assert detail["timeline"][-1]["action"] == "resolved"
    assert daemon.metric("tocsin_http_events_total", endpoint="alertmanager", outcome="accepted") >= 4
    assert daemon.metric("tocsin_http_rejected_total", reason="unauthorized") == 0
