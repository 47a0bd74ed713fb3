"""A page storm end to end: twenty unrelated incidents open at once for the
same recipient while the per-recipient rate limit is spent. The real SMTP
server receives one bundled message listing all twenty, not twenty mails, and
the hold is visible on the notifications and in the counters."""

import re
import time

from harness import SmtpServer, Tocsind, free_port, wait_until

THROTTLE = """  max_bundle: 50
  rate_limit:
    max: 1
    per: 4s"""

CORRELATION = """
correlation:
  hold_window: 0s
"""


def event(host):
    return {"name": "host_down", "resource": host, "severity": "critical", "summary": f"{host} does not answer ping"}


def test_storm_for_one_recipient_is_one_bundled_mail_after_the_rate_limit(tmp_path):
    smtp = SmtpServer(str(tmp_path), free_port())
    smtp.start()
    daemon = Tocsind(str(tmp_path), smtp_port=smtp.port)
    daemon.write_config(extra_yaml=CORRELATION, notifications_yaml=THROTTLE)
    daemon.start()
    try:
        status, body = daemon.request("POST", "/api/v1/events", event("web-000"))
        assert status == 200, body
        first = wait_until(smtp.messages, what="the first page")
        assert len(first) == 1
        started = time.monotonic()

        hosts = [f"web-{i:03d}" for i in range(1, 21)]
        status, body = daemon.request("POST", "/api/v1/events", [event(h) for h in hosts])
        assert status == 200, body
        wait_until(lambda: len(daemon.incidents(state="open")) == 21, what="21 open incidents")

        # Held, not failed: the notifications wait with the reason said.
        wait_until(lambda: daemon.metric("tocsin_notifications_held_total", channel="email", reason="rate_limit") >= 1,
                   what="the rate limit to hold the storm")
        mails = wait_until(lambda: len(smtp.messages()) == 2 and smtp.messages(), timeout=20,
                           what="the bundled page")
        assert time.monotonic() - started >= 2.5, "the bundle must wait for the rate limit window"
        bundle = mails[1] if "[Tocsin] 20 incidents" in mails[1] else mails[0]
        assert "Subject: [Tocsin] 20 incidents need attention" in bundle, bundle[:800]
        listed = set(int(n) for n in re.findall(r"#(\d+) ", bundle))
        opened = {i["id"] for i in daemon.incidents(state="open")}
        first_id = min(opened)
        assert listed == opened - {first_id}, (listed, opened)

        time.sleep(5)  # nothing else follows: each page went exactly once
        assert len(smtp.messages()) == 2
        assert daemon.metric("tocsin_notifications_bundled_total", channel="email") == 20
        assert daemon.metric("tocsin_notifications_sent_total", channel="email") == 21
    finally:
        daemon.stop()
        smtp.stop()
