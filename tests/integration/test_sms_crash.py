"""kill -9 of tocsind while 1,000 SMS pages are queued and the gateway is slow:
after the restart every page is delivered, none is lost, and every page the
gateway received twice belongs to a notification flagged possible_duplicate
(its send was in flight at the kill)."""

import collections
import os
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
    with open(log) as f:
        return [int(line) for line in f.read().split()]


def test_kill9_with_1000_pages_queued_loses_none_and_flags_every_duplicate(tmp_path):
    workdir = str(tmp_path)
    port = free_port()
    log = os.path.join(workdir, "gateway.log")
    gateway = subprocess.Popen([sys.executable, os.path.join(SOURCE_DIR, "tests", "support", "sms_gateway.py"),
                                "--port", str(port), "--log", log, "--delay", "0.01",
                                "--stall-at", str(STALL_AT), "--stall", "5"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert gateway.stdout.readline().startswith("READY")
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
        gateway.terminate()
        gateway.wait(10)
