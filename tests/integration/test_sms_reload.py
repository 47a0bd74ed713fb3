"""SIGHUP changes the SMS gateway settings of the running daemon: pages
committed after the reload go to the new gateway, none to the old one, and
no restart is needed."""

import os
import signal
import subprocess
import sys

from harness import ADMIN_TOKEN, SOURCE_DIR, Tocsind, free_port, wait_until


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
  max_bundle: 1  # each page its own request: the test counts them
  sms:
    enabled: true
    preset: generic
    url: "http://127.0.0.1:{gateway_port}/send?id={{id}}&to={{to}}&text={{text}}"
    success_codes: [202]
"""


def gateway(workdir, name):
    port = free_port()
    log = os.path.join(workdir, f"{name}.log")
    proc = subprocess.Popen([sys.executable, os.path.join(SOURCE_DIR, "tests", "support", "sms_gateway.py"),
                             "--port", str(port), "--log", log, "--delay", "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("READY")
    return proc, port, log


def received(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [int(line) for line in f.read().split()]


def page(d, resource):
    status, body = d.request("POST", "/api/v1/events", {"name": "link_down", "resource": resource,
                                                         "severity": "critical", "summary": f"{resource} down"})
    assert status == 200, body


def test_a_new_gateway_url_applies_at_sighup_without_a_restart(tmp_path):
    workdir = str(tmp_path)
    old, old_port, old_log = gateway(workdir, "old")
    new, new_port, new_log = gateway(workdir, "new")
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
