"""The incident lifecycle through the API against the real daemon: an incident
from a real `logger` line is forwarded, returned, commented, prioritised,
resolved with a code, closed and reopened, and its timeline shows each step
with the actor."""

import pytest

from harness import SmtpServer, Tocsind, free_port, logger, wait_until


@pytest.fixture
def env(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port)
    daemon.start()
    yield daemon, smtp
    daemon.stop()
    smtp.stop()


def act(daemon, incident_id, action, body=None):
    status, answer = daemon.request("POST", f"/api/v1/incidents/{incident_id}/{action}", body)
    return status, answer


def test_forward_return_comment_priority_resolve_close_reopen_each_in_the_timeline(env):
    daemon, _ = env
    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to down", "%LINK-3-UPDOWN")
    incident = wait_until(lambda: daemon.incidents(state="open"), what="the incident")[0]
    iid = incident["id"]
    first_group = incident["group"]

    status, after = act(daemon, iid, "forward", {"group": "storage", "reason": "looks like the SAN"})
    assert status == 200, after
    assert after["group"] == "storage" and after["previous_group"] == first_group
    status, after = act(daemon, iid, "return", {"reason": "SAN is fine"})
    assert status == 200, after
    assert after["group"] == first_group
    assert act(daemon, iid, "return", {"reason": "again"})[0] == 409
    assert act(daemon, iid, "comment", {"comment": "fibre team called"})[0] == 200
    status, after = act(daemon, iid, "priority", {"priority": "P1", "reason": "core uplink"})
    assert status == 200 and after["priority"] == "P1" and after["priority_set_by"]
    assert act(daemon, iid, "close")[0] == 409  # not resolved yet
    status, after = act(daemon, iid, "resolve", {"resolution_code": "fixed"})
    assert status == 200 and after["resolution_code"] == "fixed"
    status, after = act(daemon, iid, "close", {"comment": "confirmed"})
    assert status == 200 and after["state"] == "closed" and after["closed_at"] is not None
    assert act(daemon, iid, "close")[0] == 409
    status, after = act(daemon, iid, "reopen", {"comment": "flapped again"})
    assert status == 200 and after["state"] == "open"
    assert daemon.incidents(state="open")[0]["id"] == iid
    assert act(daemon, 9999, "reopen")[0] == 404

    status, detail = daemon.request("GET", f"/api/v1/incidents/{iid}")
    assert status == 200
    steps = [(t["action"], t["actor"]) for t in detail["timeline"] if t["actor"] != "tocsin"]
    assert [a for a, _ in steps] == ["forwarded", "returned", "comment", "priority", "resolved", "closed", "reopened"]
    assert all(actor for _, actor in steps)
