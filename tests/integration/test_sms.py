"""SMS pages end to end with real Kannel (bearerbox + smsbox + fakesmsc).

An on-call roster whose people have SMS contacts and an escalation policy
using sms: a P1 incident pages the primary by SMS (seen at fakesmsc) and by
e-mail (real aiosmtpd), without an acknowledgement the secondary next, whose
`ACK` SMS stops the escalation, and the primary's e-mail reply (swaks to
tocsind's SMTP listener, the page's signed subject) resolves it; a
Chinese summary arrives intact as UCS-2, the delivery report Kannel sends is
recorded on the notification with the SMSC's message id (Kannel's %F), an
`ACK <id>` SMS from the primary's phone acknowledges the incident (timeline,
API) and the confirmation comes back to that phone, messages from unknown or
unauthorized numbers are refused, answered and counted, and a person added
through the API may act once a member of the group.
"""

import re
import time
import urllib.request

import pytest

from harness import (ADMIN_TOKEN, REPLY_DOMAIN, VIEWER_TOKEN, SmtpServer, Tocsind, email_in_yaml, email_pages,
                     free_port, swaks_reply, wait_until)
from kannel import SENDSMS_PASSWORD, SENDSMS_USER, Kannel

CALLBACK_TOKEN = "kannel-callback-secret"
ALICE = "+33611111111"  # primary of noc
BOB = "+33622222222"    # secondary of noc
DAVE = "+33644444444"   # known, but in another group and never paged
MAX = "+33655555555"    # manager of noc, the third step
STRANGER = "+33699999999"
ALICE_MAIL = "alice@example.net"
SHORT_NUMBER = "4242"
SECONDARY_AFTER = 5
MANAGER_AFTER = 12



def config(d, kannel, smtp_port, email_in_port):
    return email_in_yaml(email_in_port) + f"""
log:
  level: debug
store:
  path: {d.workdir}/var/tocsin.db
api:
  listen: 127.0.0.1:{d.api_port}
  tokens:
    - {{name: admin, role: admin, token: {ADMIN_TOKEN}}}
    - {{name: viewer, role: viewer, token: {VIEWER_TOKEN}}}
oncall:
  users:
    - {{id: alice, name: Alice Martin, contacts: [{{sms: "+33 6 11 11 11 11"}}, {{email: {ALICE_MAIL}}}]}}
    - {{id: bob, name: Bob Chen, contacts: [{{sms: "{BOB}"}}]}}
    - {{id: dave, contacts: [{{sms: "{DAVE}"}}]}}
    - {{id: max, contacts: [{{sms: "{MAX}"}}]}}
  groups:
    - {{id: noc, members: [alice, bob], manager: max}}
    - {{id: facilities, members: [dave]}}
  rosters:
    - group: noc
      rotations:
        - {{participants: [alice], shift: 7d, start: 2026-01-05}}
        - {{layer: secondary, participants: [bob], shift: 7d, start: 2026-01-05}}
escalation:
  policies:
    - group: noc
      steps:
        - {{targets: [primary], channels: [sms, email]}}
        - {{delay: {SECONDARY_AFTER}s, targets: [secondary], channels: [sms]}}
        - {{delay: {MANAGER_AFTER}s, targets: [manager], channels: [sms]}}
notifications:
  initial_backoff: 200ms
  max_backoff: 1s
  poll_interval: 200ms
  max_bundle: 1  # every page its own SMS: these tests count and read single pages
  reply_secret: integration-reply-secret
  reply_to: noc@{REPLY_DOMAIN}
  email:
    enabled: true
    server: 127.0.0.1:{smtp_port}
    from: tocsin@test.local
    recipients: [noc@test.local]  # groups without a policy; noc's pages by its steps
  sms:
    enabled: true
    url: {kannel.sendsms_url}
    username: {SENDSMS_USER}
    password: {SENDSMS_PASSWORD}
    from: TOCSIN
    callback_url: http://127.0.0.1:{d.api_port}
    callback_token: {CALLBACK_TOKEN}
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("sms"))
    d = Tocsind(workdir)
    d.email_port = free_port()
    smtp = SmtpServer(workdir, free_port())
    kannel = Kannel(workdir, mo_url=f"http://127.0.0.1:{d.api_port}/kannel/mo?token={CALLBACK_TOKEN}"
                                    "&from=%p&text=%a")
    with open(d.config, "w") as f:
        f.write(config(d, kannel, smtp.port, d.email_port))
    smtp.start()
    kannel.start()
    try:
        d.start()
        d.smtp = smtp
        yield d, kannel
    finally:
        d.stop()
        kannel.stop()
        smtp.stop()


def open_incident(d, resource, summary):
    status, body = d.request("POST", "/api/v1/events", {
        "name": "power_loss", "resource": resource, "severity": "critical", "summary": summary})
    assert status == 200, body
    found = wait_until(lambda: [i for i in d.incidents() if i["ci"] == resource], what=f"the incident on {resource}")
    return found[0]


def pages_to(kannel, number, marker):
    return [m for m in kannel.received() if m["to"] == number and marker in m["text"]]


def detail(d, iid):
    status, body = d.request("GET", f"/api/v1/incidents/{iid}")
    assert status == 200, body
    return body


def test_p1_pages_the_primary_by_sms_and_the_delivery_report_is_recorded(env):
    d, kannel = env
    incident = open_incident(d, "core-sw1", "uplink to the core lost")
    iid = incident["id"]
    assert incident["priority"] == "P1"
    page = wait_until(lambda: pages_to(kannel, ALICE, f"#{iid}"), what="the SMS page at fakesmsc")[0]
    assert page["from"] == "TOCSIN"
    assert page["coding"] == "text"  # GSM-7
    assert f"P1 #{iid}: uplink to the core lost" in page["text"]
    assert f"Reply ACK {iid} or RES {iid}" in page["text"]
    assert not pages_to(kannel, BOB, f"#{iid}")  # the secondary's step is seconds away

    def reported():
        sms = [n for n in detail(d, iid)["notifications"] if n["channel"] == "sms"]
        return sms if sms and sms[0]["delivery_status"] == "delivered" else None
    sms = wait_until(reported, what="the delivery report on the notification")
    assert sms[0]["recipient"] == "+33 6 11 11 11 11" and sms[0]["person"] == "alice"
    assert sms[0]["state"] == "sent" and sms[0]["possible_duplicate"] is False
    # Kannel's sendsms answer has no message id: the delivery report's %F brings the SMSC's.
    assert re.fullmatch(r"[0-9a-f-]{8,64}", sms[0]["gateway_id"]), sms[0]
    assert d.metric("tocsin_sms_delivery_reports_total", result="recorded") >= 1


def test_no_ack_pages_the_secondary_whose_ack_by_sms_stops_the_escalation_and_a_mail_reply_resolves(env):
    d, kannel = env
    opened = time.monotonic()
    incident = open_incident(d, "core-sw5", "power supply 2 failed")
    iid = incident["id"]
    wait_until(lambda: pages_to(kannel, ALICE, f"#{iid}"), what="the primary's page")
    # Step 0 pages the primary by e-mail too, through the real SMTP server.
    mail = email_pages(d.smtp, iid, to=ALICE_MAIL)[0]
    assert "power supply 2 failed" in str(mail["Subject"])
    assert mail["Reply-To"] == f"noc@{REPLY_DOMAIN}"
    page = wait_until(lambda: pages_to(kannel, BOB, f"#{iid}"), timeout=SECONDARY_AFTER + 15,
                      what="the secondary's page")[0]
    assert time.monotonic() - opened >= SECONDARY_AFTER - 1
    assert f"P1 #{iid} ESCALATED: power supply 2 failed" in page["text"]
    replies = kannel.send_mo(BOB, SHORT_NUMBER, f"ACK {iid}")
    assert replies[0]["text"] == f"Tocsin: #{iid} acknowledged by bob."

    # The manager's step would have fired by now: the acknowledgement stopped it.
    time.sleep(max(0.0, opened + MANAGER_AFTER + 3 - time.monotonic()))
    assert not pages_to(kannel, MAX, f"#{iid}")
    body = detail(d, iid)
    assert body["state"] == "acknowledged"
    actions = [(t["action"], t["actor"]) for t in body["timeline"]]
    assert ("escalated", "tocsin") in actions and ("acknowledged", "bob") in actions
    assert actions.index(("escalated", "tocsin")) < actions.index(("acknowledged", "bob"))
    pages = [(n["person"], n["channel"], n["kind"]) for n in body["notifications"]]
    assert pages == [("alice", "sms", "opened"), ("alice", "email", "opened"), ("bob", "sms", "escalated")], pages

    # The primary answers the e-mail page (its subject carries the signed token): resolved.
    code, transcript = swaks_reply(d.email_port, mail, "resolve: PSU swapped\n", sender=ALICE_MAIL)
    assert code == 0, transcript
    assert f"250 2.0.0 incident {iid} resolved by alice" in transcript, transcript
    body = detail(d, iid)
    assert body["state"] == "resolved" and body["resolved_at"] is not None
    timeline = [(t["action"], t["actor"]) for t in body["timeline"]]
    steps = [("opened", "tocsin"), ("notified", "tocsin"), ("escalated", "tocsin"), ("acknowledged", "bob"),
             ("resolved", "alice")]
    assert [e for e in timeline if e in steps] == steps, timeline
    texts = {t["action"]: t["text"] for t in body["timeline"]}
    assert texts["notified"] == "step 0: alice by sms, alice by email", texts
    assert texts["escalated"].startswith("escalated to step 1: bob by sms"), texts
    assert "by SMS" in texts["acknowledged"]
    assert texts["resolved"] == f"resolved by hand: by e-mail reply from {ALICE_MAIL}: PSU swapped", texts
    assert d.metric("tocsin_email_replies_total", result="resolved") == 1


def test_a_chinese_summary_arrives_intact_as_ucs2(env):
    d, kannel = env
    summary = "数据中心断电，备用发电机未启动"
    incident = open_incident(d, "dc-paris", summary)
    page = wait_until(lambda: pages_to(kannel, ALICE, f"#{incident['id']}"), what="the UCS-2 page")[0]
    assert page["coding"] == "ucs-2"
    assert summary in page["text"]
    assert page["text"].startswith(f"P1 #{incident['id']}: ")


def test_ack_by_sms_from_the_primary_acknowledges_and_confirms(env):
    d, kannel = env
    incident = open_incident(d, "edge-rtr2", "BGP session down")
    iid = incident["id"]
    wait_until(lambda: pages_to(kannel, ALICE, f"#{iid}"), what="the page")
    before = d.metric("tocsin_sms_replies_total", result="acknowledged")
    replies = kannel.send_mo(ALICE, SHORT_NUMBER, f"ACK {iid}")
    assert replies[0]["to"] == ALICE
    assert replies[0]["text"] == f"Tocsin: #{iid} acknowledged by alice."
    body = detail(d, iid)
    assert body["state"] == "acknowledged"
    entry = [t for t in body["timeline"] if t["action"] == "acknowledged"]
    assert len(entry) == 1 and entry[0]["actor"] == "alice"
    assert "by SMS" in entry[0]["text"] and ALICE in entry[0]["text"]
    assert d.metric("tocsin_sms_replies_total", result="acknowledged") == before + 1

    # The same command again changes nothing and says why.
    again = kannel.send_mo(ALICE, SHORT_NUMBER, f"ack {iid}")
    assert "already acknowledged" in again[0]["text"]
    assert d.metric("tocsin_sms_replies_total", result="conflict") >= 1


def test_the_secondary_resolves_with_the_short_form(env):
    d, kannel = env
    incident = open_incident(d, "core-sw9", "fan failure")
    iid = incident["id"]
    replies = kannel.send_mo(BOB, SHORT_NUMBER, f"{iid} R")
    assert replies[0]["text"] == f"Tocsin: #{iid} resolved by bob."
    status, body = d.request("GET", f"/api/v1/incidents/{iid}")
    assert body["state"] == "resolved"
    assert [t for t in body["timeline"] if t["action"] == "resolved" and t["actor"] == "bob"]


def test_unknown_unauthorized_and_garbled_replies_are_refused_answered_and_counted(env):
    d, kannel = env
    incident = open_incident(d, "pdu-7", "PDU overload")
    iid = incident["id"]
    counts = {r: d.metric("tocsin_sms_replies_total", result=r)
              for r in ("unknown_sender", "not_allowed", "not_a_command", "no_such_incident")}

    assert "not registered" in kannel.send_mo(STRANGER, SHORT_NUMBER, f"ACK {iid}")[0]["text"]
    assert "may not act" in kannel.send_mo(DAVE, SHORT_NUMBER, f"ACK {iid}")[0]["text"]
    assert "Reply ACK <id> or RES <id>" in kannel.send_mo(ALICE, SHORT_NUMBER, "what is going on?")[0]["text"]
    assert "no incident #987654" in kannel.send_mo(ALICE, SHORT_NUMBER, "ACK 987654")[0]["text"]

    assert detail(d, iid)["state"] == "open"
    for result, before in counts.items():
        assert d.metric("tocsin_sms_replies_total", result=result) == before + 1, result


def test_callback_routes_need_the_shared_secret_and_api_auth_is_unchanged(env):
    d, _ = env
    base = f"http://127.0.0.1:{d.api_port}"
    before = d.metric("tocsin_sms_delivery_reports_total", result="bad_token")
    for path in ("/kannel/dlr?id=1&status=1&token=wrong", "/kannel/dlr?id=1&status=1",
                 "/kannel/mo?from=%2B33611111111&text=ACK+1&token=" + CALLBACK_TOKEN[:-1]):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(base + path, timeout=5)
        assert e.value.code == 403, path
    assert d.metric("tocsin_sms_delivery_reports_total", result="bad_token") == before + 2
    # A callback token is no API token, and the API still wants its bearer token.
    status, _ = d.request("GET", "/api/v1/incidents", token=CALLBACK_TOKEN)
    assert status == 401
    status, _ = d.request("GET", "/api/v1/incidents", token=None)
    assert status == 401
    status, body = d.request("GET", f"/kannel/dlr?id=999999&status=1&token={CALLBACK_TOKEN}", token=None)
    assert status == 404
    before = d.metric("tocsin_sms_delivery_reports_total", result="bad_request")
    status, _ = d.request("GET", f"/kannel/dlr?id=1&status=1&foreign_id={'f' * 65}&token={CALLBACK_TOKEN}",
                          token=None)
    assert status == 400
    assert d.metric("tocsin_sms_delivery_reports_total", result="bad_request") == before + 1


def test_a_person_added_through_the_api_acts_by_sms_once_a_member(env):
    d, kannel = env
    eve = "+33677777777"
    incident = open_incident(d, "ups-3", "UPS on battery")
    iid = incident["id"]
    assert "not registered" in kannel.send_mo(eve, SHORT_NUMBER, f"ACK {iid}")[0]["text"]
    status, body = d.request("POST", "/api/v1/people", {"id": "eve", "contacts": [{"sms": eve}]})
    assert status == 201, body
    # Known at once, but not of the incident's group.
    assert "may not act" in kannel.send_mo(eve, SHORT_NUMBER, f"ACK {iid}")[0]["text"]
    status, noc = d.request("GET", "/api/v1/groups/noc")
    assert status == 200, noc
    noc["members"].append("eve")
    status, body = d.request("PUT", "/api/v1/groups/noc", noc)
    assert status == 200, body
    replies = kannel.send_mo(eve, SHORT_NUMBER, f"ACK {iid}")
    assert replies[0]["text"] == f"Tocsin: #{iid} acknowledged by eve."
    assert detail(d, iid)["state"] == "acknowledged"
