"""Acknowledge and resolve by e-mail reply, end to end: the real tocsind pages
the on-call person through a real SMTP server (aiosmtpd), and the real `swaks`
sends that person's reply to tocsind's SMTP listener. A reply "ack" or
"resolve" acts on the incident (API and timeline) and gets its 250 only once
committed; a tampered token, an unknown sender and a person with no standing
on the incident get a 5xx and a counter; two pages of one incident thread; a
person added through the API is known to replies at once."""

import re
import subprocess

import pytest

from harness import (REPLY_DOMAIN as DOMAIN, TOCSIND, SmtpServer, Tocsind, email_in_yaml, email_pages, free_port,
                     swaks_reply, wait_until)


def reply_yaml(port):
    return email_in_yaml(port) + f"""
oncall:
  users:
    - id: alice
      name: Alice Martin
      contacts: [{{email: alice@example.net}}]
    - id: bob
      name: Bob Stranger
      contacts: [{{email: bob@example.net}}]
  groups:
    - id: noc
      members: [alice]
  rosters:
    - group: noc
      rotations:
        - participants: [alice]
          shift: 1d
          start: "2026-01-01"
escalation:
  policies:
    - group: noc
      steps:
        - {{delay: 0s, targets: [primary], channels: [email]}}
        - {{delay: 2s, targets: [primary], channels: [email]}}
"""


def add_notification_keys(daemon, lines):
    """The harness writes the notifications section; these keys go in it."""
    with open(daemon.config) as f:
        text = f.read()
    text = text.replace("\nnotifications:\n", "\nnotifications:\n" + "".join(f"  {l}\n" for l in lines), 1)
    with open(daemon.config, "w") as f:
        f.write(text)


@pytest.fixture
def env(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    port = free_port()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port, extra_yaml=reply_yaml(port))
    daemon.email_port = port
    secret = tmp_path / "reply.secret"
    secret.write_text("integration-reply-secret\n")
    add_notification_keys(daemon, [f"reply_secret_file: {secret}", f"reply_to: noc@{DOMAIN}"])
    daemon.start()
    yield daemon, smtp
    daemon.stop()
    smtp.stop()


def open_incident(daemon, resource):
    status, body = daemon.request("POST", "/api/v1/events", {
        "name": "disk_full", "resource": resource, "severity": "critical", "summary": f"/var full on {resource}"})
    assert status == 200, body
    return wait_until(lambda: [i for i in daemon.incidents() if i["ci"] == resource], what=f"incident on {resource}")[0]


def data_reply(transcript):
    """The server's answer to the message content (the line after the dot)."""
    lines = transcript.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "->  ." or line.endswith(" ."):
            for answer in lines[i + 1:]:
                if answer.lstrip().startswith(("<-", "<**")):
                    return answer
    raise AssertionError(transcript)


def detail(daemon, incident_id):
    status, body = daemon.request("GET", f"/api/v1/incidents/{incident_id}")
    assert status == 200, body
    return body


def test_two_pages_thread_and_an_ack_reply_acknowledges(env):
    daemon, smtp = env
    incident = open_incident(daemon, "db1")
    first, second = email_pages(smtp, incident["id"], count=2)[:2]
    assert first["To"] == "alice@example.net"
    assert first["Reply-To"] == f"noc@{DOMAIN}"
    assert re.search(r"\[TOC-%d-[0-9a-f]{8}\]$" % incident["id"], str(first["Subject"]))
    # Threading: own Message-IDs, one root both point at.
    assert first["Message-ID"] != second["Message-ID"]
    root = f"<tocsin-incident-{incident['id']}@test.local>"
    assert first["In-Reply-To"] == second["In-Reply-To"] == root
    assert first["References"] == second["References"] == root
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert "on the first line" in first.get_body(("plain",)).get_content()

    code, transcript = swaks_reply(daemon.email_port, second, "ack\n\nOn Tue, Tocsin wrote:\n> Incident opened\n")
    assert code == 0, transcript
    assert re.search(r"<-  250 2\.0\.0 incident %d acknowledged by alice" % incident["id"], transcript), transcript
    # 250 came after the commit: the API already shows it.
    d = detail(daemon, incident["id"])
    assert d["state"] == "acknowledged"
    ack = [t for t in d["timeline"] if t["action"] == "acknowledged"]
    assert ack and ack[0]["actor"] == "alice", d["timeline"]
    assert "by e-mail reply from alice@example.net" in ack[0]["text"]
    assert daemon.metric("tocsin_email_replies_total", result="acknowledged") == 1
    # A resent reply is no error: 250, nothing changes.
    code, transcript = swaks_reply(daemon.email_port, second, "ack\n")
    assert code == 0 and "<-  250 2.0.0 Nothing to do" in transcript, transcript
    assert daemon.metric("tocsin_email_replies_total", result="no_change") == 1


def test_resolve_reply_resolves_with_its_reason_and_a_comment_is_recorded(env):
    daemon, smtp = env
    incident = open_incident(daemon, "db2")
    page = email_pages(smtp, incident["id"])[0]
    code, transcript = swaks_reply(daemon.email_port, page, "On my way to the data centre.\n\n-- \nAlice\n")
    assert code == 0 and "<-  250 2.0.0 Comment recorded" in transcript, transcript
    code, transcript = swaks_reply(daemon.email_port, page, "Resolve: replaced the disk\n")
    assert code == 0, transcript
    assert re.search(r"<-  250 2\.0\.0 incident %d resolved by alice" % incident["id"], transcript), transcript
    d = detail(daemon, incident["id"])
    assert d["state"] == "resolved"
    entries = {t["action"]: t for t in d["timeline"]}
    assert entries["comment"]["actor"] == "alice"
    assert entries["comment"]["text"] == "by e-mail reply from alice@example.net: On my way to the data centre."
    assert entries["resolved"]["actor"] == "alice"
    assert "by e-mail reply from alice@example.net: replaced the disk" in entries["resolved"]["text"]
    resolved = [i for i in daemon.incidents(state="resolved") if i["id"] == incident["id"]]
    assert resolved and resolved[0]["resolved_at"] is not None
    assert daemon.metric("tocsin_email_replies_total", result="resolved") == 1
    assert daemon.metric("tocsin_email_replies_total", result="commented") == 1


def test_tampered_token_is_refused_and_counted(env):
    daemon, smtp = env
    incident = open_incident(daemon, "db3")
    page = email_pages(smtp, incident["id"])[0]
    subject = str(page["Subject"])
    token = re.search(r"\[TOC-(\d+)-([0-9a-f]{8})\]", subject)
    forged = "%08x" % (int(token.group(2), 16) ^ 1)
    code, transcript = swaks_reply(daemon.email_port, page, "resolve\n",
                                   subject="Re: " + subject.replace(token.group(2), forged))
    assert code != 0, transcript
    assert data_reply(transcript).startswith("<** 550 5.7.1"), transcript
    # Another incident's id with this incident's signature is forged too.
    other = subject.replace(f"TOC-{incident['id']}-", f"TOC-{incident['id'] + 1}-")
    code, transcript = swaks_reply(daemon.email_port, page, "resolve\n", subject="Re: " + other)
    assert code != 0 and data_reply(transcript).startswith("<** 550"), transcript
    assert daemon.metric("tocsin_email_replies_total", result="bad_token") == 2
    assert detail(daemon, incident["id"])["state"] == "open"


def test_unknown_sender_and_a_person_without_standing_are_refused_and_counted(env):
    daemon, smtp = env
    incident = open_incident(daemon, "db4")
    page = email_pages(smtp, incident["id"])[0]
    code, transcript = swaks_reply(daemon.email_port, page, "resolve\n", sender="mallory@evil.example")
    assert code != 0, transcript
    assert data_reply(transcript).startswith("<** 550 5.7.1 Sender mallory@evil.example is not in the on-call"), transcript
    assert daemon.metric("tocsin_email_replies_total", result="unknown_sender") == 1
    # Bob is in the directory but not in group noc, not on call and never paged.
    code, transcript = swaks_reply(daemon.email_port, page, "ack\n", sender="bob@example.net")
    assert code != 0, transcript
    assert data_reply(transcript).startswith("<** 550 5.7.1 bob may not act on incident"), transcript
    assert daemon.metric("tocsin_email_replies_total", result="not_allowed") == 1
    d = detail(daemon, incident["id"])
    assert d["state"] == "open"
    assert not [t for t in d["timeline"] if t["actor"] in ("bob", "mallory@evil.example")]


def test_a_person_added_through_the_api_acts_by_reply_once_a_member(env):
    daemon, smtp = env
    incident = open_incident(daemon, "db5")
    page = email_pages(smtp, incident["id"])[0]
    code, transcript = swaks_reply(daemon.email_port, page, "ack\n", sender="carol@example.net")
    assert code != 0 and "is not in the on-call" in data_reply(transcript), transcript
    status, body = daemon.request("POST", "/api/v1/people", {"id": "carol", "contacts": [{"email": "carol@example.net"}]})
    assert status == 201, body
    code, transcript = swaks_reply(daemon.email_port, page, "ack\n", sender="carol@example.net")
    assert code != 0 and "carol may not act on incident" in data_reply(transcript), transcript
    status, noc = daemon.request("GET", "/api/v1/groups/noc")
    noc["members"].append("carol")
    status, body = daemon.request("PUT", "/api/v1/groups/noc", noc)
    assert status == 200, body
    code, transcript = swaks_reply(daemon.email_port, page, "ack\n", sender="carol@example.net")
    assert code == 0, transcript
    d = detail(daemon, incident["id"])
    assert d["state"] == "acknowledged"
    assert [t for t in d["timeline"] if t["action"] == "acknowledged" and t["actor"] == "carol"]


def test_check_config_refuses_an_unreadable_reply_secret_file(tmp_path):
    daemon = Tocsind(str(tmp_path))
    add_notification_keys(daemon, [f"reply_secret_file: {tmp_path}/missing.secret"])
    r = subprocess.run([TOCSIND, "--check-config", daemon.config], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert re.search(r"tocsin\.yaml:\d+: notifications\.reply_secret_file: cannot read file", r.stdout + r.stderr), \
        r.stdout + r.stderr
