"""Threshold and heartbeat rules end to end: real `logger` lines into the real
daemon, incidents in the API, pages in a real SMTP server's mailbox."""

import socket
import time

import pytest

from harness import SmtpServer, Tocsind, free_port, logger, wait_until

SHORT_HOST = socket.gethostname().split(".")[0]  # logger's RFC 3164 HOSTNAME

RULES = """  rules:
    - name: ssh-auth-failure
      match: {message: 'Failed password for (?P<user>\\S+)'}
      event: ssh_auth_failure
      severity: minor
      threshold: {count: 3, window: 1m}
    - name: backup-done
      match: {message: 'backup finished'}
      event: backup_done
      kind: info
"""

HEARTBEAT_INTERVAL = 2.0
HEARTBEATS = f"""
heartbeats:
  - name: nightly-backup
    resource: {SHORT_HOST}
    event: backup_done
    interval: {int(HEARTBEAT_INTERVAL * 1000)}ms
    severity: critical
"""


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(str(tmp_path), free_port())
    server.start()
    yield server
    server.stop()


def started(tmp_path, smtp, extra_yaml=""):
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port)
    daemon.write_config(extra_yaml=extra_yaml, rules_yaml=RULES)
    daemon.start()
    return daemon


def test_threshold_holds_n_minus_one_lines_and_the_nth_opens_one_incident(tmp_path, smtp):
    daemon = started(tmp_path, smtp)
    try:
        for _ in range(2):
            logger(daemon.syslog_port, "Failed password for root from 192.0.2.9 port 22 ssh2", "sshd")
        wait_until(lambda: daemon.metric("tocsin_rules_threshold_events_total", outcome="held") == 2,
                   what="two events held below the threshold")
        assert daemon.metric("tocsin_correlator_events_total", kind="problem") == 2, "both were recorded"
        assert daemon.incidents() == []

        logger(daemon.syslog_port, "Failed password for root from 192.0.2.9 port 22 ssh2", "sshd")
        incidents = wait_until(daemon.incidents, what="the incident at the third line")
        assert len(incidents) == 1
        assert incidents[0]["title"].startswith("Failed password for root")
        assert incidents[0]["severity"] == "minor"
        assert daemon.metric("tocsin_rules_threshold_events_total", outcome="reached") == 1

        mails = wait_until(smtp.messages, what="the page")
        assert len(mails) == 1 and "ssh_auth_failure on " + SHORT_HOST in mails[0]

        # Further lines are repeats of the open incident, not new pages.
        logger(daemon.syslog_port, "Failed password for root from 192.0.2.9 port 22 ssh2", "sshd")
        wait_until(lambda: daemon.incidents()[0]["event_count"] == 2, what="the repeat counted")
        assert len(daemon.incidents()) == 1
        assert daemon.metric("tocsin_rules_threshold_events_total", outcome="held") == 2
        assert len(smtp.messages()) == 1
    finally:
        daemon.stop()


def test_heartbeat_missed_opens_a_paged_incident_and_the_next_line_resolves_it(tmp_path, smtp):
    before_start = time.monotonic()
    daemon = started(tmp_path, smtp, HEARTBEATS)
    try:
        incidents = wait_until(daemon.incidents, timeout=HEARTBEAT_INTERVAL + 10, what="the heartbeat incident")
        assert time.monotonic() - before_start >= HEARTBEAT_INTERVAL, "raised before the interval had passed"
        assert len(incidents) == 1
        incident = incidents[0]
        assert incident["state"] == "open"
        assert incident["priority"] == "P1"
        assert incident["ci"] == SHORT_HOST
        status, detail = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
        assert status == 200
        assert detail["alerts"][0]["name"] == "heartbeat_missed"
        assert detail["alerts"][0]["attributes"]["heartbeat"] == "nightly-backup"
        mails = wait_until(smtp.messages, what="the heartbeat page")
        assert "heartbeat_missed on " + SHORT_HOST in mails[0]
        assert daemon.metric("tocsin_rules_heartbeats_total", outcome="missed") == 1

        logger(daemon.syslog_port, "backup finished in 42 s", "backup", priority="local7.info")
        resolved = wait_until(lambda: daemon.incidents(state="resolved"), what="the incident resolved")
        assert resolved[0]["id"] == incident["id"]
        assert daemon.metric("tocsin_rules_heartbeats_total", outcome="recovered") == 1

        # A restart that lasts longer than the interval is not silence: the
        # clock starts again when the daemon is back.
        daemon.stop()
        time.sleep(HEARTBEAT_INTERVAL + 0.5)
        restarted_at = time.monotonic()
        daemon.start()
        time.sleep(1.0)
        assert len(daemon.incidents()) == 1, "raised at once for the downtime"
        wait_until(lambda: len(daemon.incidents(state="open")) == 1, timeout=HEARTBEAT_INTERVAL + 10,
                   what="missed again one interval after the restart")
        assert time.monotonic() - restarted_at >= HEARTBEAT_INTERVAL
        assert len(daemon.incidents()) == 2
    finally:
        daemon.stop()
