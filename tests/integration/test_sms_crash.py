"""SMS pages through a generic HTTP gateway (tests/support/sms_gateway.py).

kill -9 of tocsind while 1,000 SMS pages are queued and the gateway is slow:
after the restart every page is delivered, none is lost, and every page the
gateway received twice belongs to a notification flagged possible_duplicate
(its send was in flight at the kill).

SIGHUP with a new gateway URL: pages committed after the reload go to the new
gateway, none to the old one, without a restart."""

import collections
import os
import signal
import sqlite3
import subprocess
import sys

from harness import ADMIN_TOKEN, SOURCE_DIR, Tocsind, free_port, wait_until

PAGES = 1000
STALL_AT = 150  # the gateway holds this request for 5 s: tocsind is killed while it is in flight



def config(d, gateway_port):
    return f"""
log:
  level: info
store:
  path: {d.workdir}/var/tocsin.db
api:
  listen: 127.0.0.1:{d.api_port}
  tokens:
    - {{name: admin, role: admin, token: {ADMIN_TOKEN}}}
oncall:
  users:
    - {{id: alice, contacts: [{{sms: "+33611111111"}}]}}
  groups:
    - {{id: noc, members: [alice]}}
  rosters:
    - group: noc
      rotations:
        - {{participants: [alice], shift: 7d, start: 2026-01-05}}
escalation:
  policies:
    - group: noc
      steps:
        - {{targets: [primary], channels: [sms]}}
notifications:
  initial_backoff: 200ms
  max_backoff: 1s
  poll_interval: 200ms
  max_bundle: 1  # every page its own SMS: these tests count and read single pages
  sms:
    enabled: true
    preset: generic
    url: "http://127.0.0.1:{gateway_port}/send?id={{id}}&to={{to}}&text={{text}}"
    success_codes: [202]
    timeout: 5s
"""


def received(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [int(line) for line in f.read().split()]


def gateway(workdir, name, *options):
    """A gateway on a free port logging each request's notification id: (process, port, log)."""
    port = free_port()
    log = os.path.join(workdir, f"{name}.log")
    proc = subprocess.Popen([sys.executable, os.path.join(SOURCE_DIR, "tests", "support", "sms_gateway.py"),
                             "--port", str(port), "--log", log, *options], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("READY")
    return proc, port, log


def test_kill9_with_1000_pages_queued_loses_none_and_flags_every_duplicate(tmp_path):
    workdir = str(tmp_path)
    slow, port, log = gateway(workdir, "gateway", "--delay", "0.01", "--stall-at", str(STALL_AT), "--stall", "5")
    try:
        d = Tocsind(workdir)
        with open(d.config, "w") as f:
            f.write(config(d, port))
        d.start()
        events = [{"name": "link_down", "resource": f"cpe-{i:04d}", "severity": "critical",
                   "summary": f"customer line {i} down"} for i in range(PAGES)]
        status, body = d.request("POST", "/api/v1/events", events)
        assert status == 200, body
        # Mid-delivery: some pages out, most still queued, one in flight.
        wait_until(lambda: len(received(log)) >= STALL_AT, timeout=120, what="the first pages at the gateway")
        d.kill9()
        at_kill = received(log)
        assert len(at_kill) == STALL_AT, "the kill did not land while the stalled page was in flight"
        in_flight = at_kill[-1]

        d.start()
        wait_until(lambda: len(set(received(log))) >= PAGES, timeout=300, interval=0.5,
                   what="every page at the gateway after the restart")
        wait_until(lambda: d.metric("tocsin_outbox_pending") == 0, timeout=30, what="an empty outbox")
        d.stop()

        db = sqlite3.connect(os.path.join(workdir, "var", "tocsin.db"))
        rows = db.execute("SELECT id, state, possible_duplicate FROM notifications WHERE channel = 'sms'").fetchall()
        db.close()
        assert len(rows) == PAGES
        assert all(state == "sent" for _, state, _ in rows), collections.Counter(s for _, s, _ in rows)
        counts = collections.Counter(received(log))
        assert set(counts) == {i for i, _, _ in rows}, "the gateway got exactly the stored pages"
        flagged = {i for i, _, dup in rows if dup}
        duplicates = {i for i, n in counts.items() if n > 1}
        assert duplicates <= flagged, f"unflagged duplicates: {sorted(duplicates - flagged)}"
        # The outbox sends one page at a time: the stalled one was the only one in flight.
        assert flagged == {in_flight} and duplicates == {in_flight}
        assert counts[in_flight] == 2
        print(f"pages before the kill: {len(at_kill)}, duplicates: {len(duplicates)}, flagged: {len(flagged)}")
    finally:
        slow.terminate()
        slow.wait(10)


def page(d, resource):
    status, body = d.request("POST", "/api/v1/events", {"name": "link_down", "resource": resource,
                                                         "severity": "critical", "summary": f"{resource} down"})
    assert status == 200, body


def test_a_new_gateway_url_applies_at_sighup_without_a_restart(tmp_path):
    workdir = str(tmp_path)
    old, old_port, old_log = gateway(workdir, "old", "--delay", "0")
    new, new_port, new_log = gateway(workdir, "new", "--delay", "0")
    d = Tocsind(workdir)
    try:
        with open(d.config, "w") as f:
            f.write(config(d, old_port))
        d.start()
        page(d, "cpe-0001")
        wait_until(lambda: len(received(old_log)) == 1, what="the first page at the old gateway")
        pid = d.proc.pid

        with open(d.config, "w") as f:
            f.write(config(d, new_port))
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "configuration reloaded" in d.log_text(), what="the reload")
        assert "take effect at the next restart" not in d.log_text()
        page(d, "cpe-0002")
        page(d, "cpe-0003")
        wait_until(lambda: len(received(new_log)) == 2, what="the pages after the reload at the new gateway")
        assert len(received(old_log)) == 1
        assert d.proc.pid == pid and d.proc.poll() is None
        assert d.metric("tocsin_notifications_sent_total", channel="sms") == 3
    finally:
        d.stop()
        for p in (old, new):
            p.terminate()
            p.wait(10)
