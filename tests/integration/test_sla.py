"""SLA clocks end to end: the incident carries its due times, a missed
acknowledge target is recorded once in the timeline and counted, an
acknowledged incident is no breach, and a manual escalation is refused for a
group without an active escalation policy."""

import json
import time

import pytest

from harness import Tocsind, wait_until

SLA_YAML = """
sla:
  targets:
""" + "".join(f"    - {{priority: P{p}, acknowledge: 2s, resolve: 1h}}\n" for p in range(1, 6))


@pytest.fixture
def daemon(tmp_path):
    d = Tocsind(str(tmp_path), extra_yaml=SLA_YAML)
    d.start()
    yield d
    d.stop()


def open_incident(daemon, resource):
    status, body = daemon.request("POST", "/api/v1/events", {
        "name": "disk_full", "resource": resource, "severity": "critical", "summary": f"/var full on {resource}"})
    assert status == 200, body
    found = wait_until(lambda: [i for i in daemon.incidents(state="open") if i["ci"] == resource],
                       what=f"an incident on {resource}")
    return found[0]


def rfc3339_ms(text):
    return int(time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone) * 1000 + int(text[20:23])


def test_missed_acknowledge_target_is_recorded_once_and_counted(daemon):
    incident = open_incident(daemon, "db1")
    assert rfc3339_ms(incident["sla"]["ack_due"]) - rfc3339_ms(incident["opened_at"]) == 2000
    assert rfc3339_ms(incident["sla"]["resolve_due"]) - rfc3339_ms(incident["opened_at"]) == 3600 * 1000
    assert incident["sla"]["ack_breached"] is False

    def breached():
        status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
        return detail if detail["sla"]["ack_breached"] else None

    detail = wait_until(breached, what="the acknowledge breach")
    entries = [t for t in detail["timeline"] if t["action"] == "sla_breach"]
    assert len(entries) == 1, detail["timeline"]
    assert "acknowledge target missed" in entries[0]["text"]
    assert detail["sla"]["resolve_breached"] is False
    time.sleep(1.5)  # more ticks: still one breach
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert len([t for t in detail["timeline"] if t["action"] == "sla_breach"]) == 1
    assert daemon.metric("tocsin_sla_breaches_total", target="acknowledge") == 1


def test_acknowledged_in_time_is_no_breach(daemon):
    incident = open_incident(daemon, "web1")
    status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/acknowledge", {"comment": "on it"})
    assert status == 200, body
    time.sleep(3)
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert detail["sla"]["ack_breached"] is False
    assert not [t for t in detail["timeline"] if t["action"] == "sla_breach"]


def test_escalate_without_policy_is_refused_and_changes_nothing(daemon):
    incident = open_incident(daemon, "app1")
    status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/escalate")
    assert status == 409, body
    assert body["error"] == "group noc has no escalation policy"
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert detail["escalation_level"] == 0
    assert detail["next_escalation_at"] is None
