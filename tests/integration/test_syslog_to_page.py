"""The first end-to-end path: syslog from real `logger` → incident in the API →
one e-mail page in a real SMTP server's mailbox → clear resolves; and nothing
is lost across kill -9."""

import os
import re
import time
import socket
import subprocess

import pytest

from harness import SmtpServer, Tocsind, free_port, logger, wait_until

SHORT_HOST = socket.gethostname().split(".")[0]  # logger's RFC 3164 HOSTNAME
FULL_HOST = socket.gethostname()                  # logger's RFC 5424 HOSTNAME


@pytest.fixture
def env(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port)
    daemon.start()
    yield daemon, smtp
    daemon.stop()
    smtp.stop()


def one_incident(daemon, **filters):
    found = wait_until(lambda: daemon.incidents(**filters), what=f"an incident {filters}")
    assert len(found) == 1, found
    return found[0]


def test_link_down_over_udp_3164_opens_incident_pages_once_and_link_up_resolves(env):
    daemon, smtp = env
    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to down", "%LINK-3-UPDOWN")

    incident = one_incident(daemon, state="open")
    assert incident["title"] == f"Interface GigabitEthernet0/1 down on {SHORT_HOST}"
    assert incident["severity"] == "major"
    assert incident["priority"] == "P2"
    assert incident["ci"] == SHORT_HOST
    assert incident["event_count"] == 1

    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert status == 200
    assert [a["name"] for a in detail["alerts"]] == ["interface_down"]
    assert detail["alerts"][0]["resource"] == SHORT_HOST
    assert detail["alerts"][0]["attributes"]["interface"] == "GigabitEthernet0/1"

    # Repeats, over UDP and over TCP, count on the same incident.
    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to down", "%LINK-3-UPDOWN")
    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to down", "%LINK-3-UPDOWN", transport="tcp")
    wait_until(lambda: daemon.incidents()[0]["event_count"] == 3, what="event_count 3")
    assert len(daemon.incidents()) == 1

    mails = wait_until(smtp.messages, what="the page in the mailbox")
    assert len(mails) == 1
    assert "Subject: [P2] #%d interface_down on %s" % (incident["id"], SHORT_HOST) in mails[0]
    assert "To: noc@test.local" in mails[0]

    logger(daemon.syslog_port, "Interface GigabitEthernet0/1, changed state to up", "%LINK-3-UPDOWN", priority="local7.notice")
    resolved = wait_until(lambda: daemon.incidents(state="resolved"), what="the incident resolved by linkUp")
    assert resolved[0]["id"] == incident["id"]
    assert resolved[0]["resolved_at"] is not None
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    assert [t["action"] for t in detail["timeline"]][-1] == "resolved"
    assert detail["alerts"][0]["state"] == "resolved"

    # Still exactly one page: repeats and the clear do not page again.
    assert len(smtp.messages()) == 1
    assert daemon.metric("tocsin_notifications_sent_total", channel="email") == 1


def test_rfc5424_over_tcp_octet_counted_and_udp_dedup(env):
    daemon, smtp = env
    msg = "e1000e: eth1 NIC Link is Down"
    logger(daemon.syslog_port, msg, "kernel", transport="tcp", rfc="rfc5424", octet_count=True, priority="kern.err")
    incident = one_incident(daemon)
    assert incident["ci"] == FULL_HOST
    assert incident["title"] == f"Interface eth1 down on {FULL_HOST}"
    logger(daemon.syslog_port, msg, "kernel", transport="udp", rfc="rfc5424", priority="kern.err")
    wait_until(lambda: daemon.incidents()[0]["event_count"] == 2, what="the repeat counted")
    assert len(daemon.incidents()) == 1


def test_acknowledge_and_resolve_through_the_api(env):
    daemon, smtp = env
    logger(daemon.syslog_port, "Interface Gi0/9, changed state to down", "%LINK-3-UPDOWN")
    incident = one_incident(daemon)
    status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/acknowledge", {"comment": "looking"})
    assert status == 200, body
    assert body["state"] == "acknowledged"
    assert body["acknowledged_at"] is not None
    status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/resolve", {"comment": "fixed"})
    assert status == 200, body
    assert body["state"] == "resolved"
    status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/acknowledge")
    assert status == 409, body
    status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
    entries = [(t["actor"], t["action"]) for t in detail["timeline"]]
    assert ("admin", "acknowledged") in entries and ("admin", "resolved") in entries


def test_kill9_keeps_incidents_and_undelivered_pages(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())  # not started: pages must wait
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port)
    daemon.start()
    try:
        for i in range(5):
            logger(daemon.syslog_port, f"Interface Gi0/{i}, changed state to down", "%LINK-3-UPDOWN", transport="tcp")
        wait_until(lambda: len(daemon.incidents()) == 5, what="5 incidents")
        wait_until(lambda: daemon.metric("tocsin_notifications_retried_total", channel="email") >= 1,
                   what="a failed delivery attempt")
        daemon.kill9()

        smtp.start()
        daemon.start()
        assert len(daemon.incidents(state="open")) == 5
        ids = {i["id"] for i in daemon.incidents(state="open")}

        def paged():  # incident ids named in the delivered pages, alone or in a bundle
            return [n for m in smtp.messages() for n in {int(x) for x in re.findall(r"\[P\d\] #(\d+) ", m)}]

        wait_until(lambda: set(paged()) == ids, what="every incident's page after restart")
        time.sleep(1)
        assert sorted(paged()) == sorted(ids)  # each page exactly once
        # The alerts are still firing after the restart: a repeat dedups.
        logger(daemon.syslog_port, "Interface Gi0/0, changed state to down", "%LINK-3-UPDOWN")
        wait_until(lambda: any(i["event_count"] == 2 for i in daemon.incidents()), what="dedup after restart")
        assert len(daemon.incidents()) == 5
    finally:
        daemon.stop()
        smtp.stop()


def test_sigterm_commits_accepted_tcp_messages_and_exits_zero(tmp_path):
    daemon = Tocsind(str(tmp_path))
    daemon.start()
    for i in range(20):
        logger(daemon.syslog_port, f"Interface Te1/{i}, changed state to down", "%LINK-3-UPDOWN", transport="tcp")
    assert daemon.stop() == 0
    daemon.start()
    try:
        assert len(daemon.incidents(limit=100)) == 20
    finally:
        daemon.stop()
