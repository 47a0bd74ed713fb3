"""Webhooks end to end: the real tocsind POSTs each incident change as JSON to
a small HTTP server in this test (on loopback, on the allow-list); a 503 is
retried through the outbox; a URL outside the allow-list is refused by
--check-config, and a pending POST whose URL a reload took off the list is
refused at send time and counted."""

import json
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import TOCSIND, Tocsind, free_port, wait_until


class Receiver:
    """Records every POST; answers `fail_first` of them with 503."""

    def __init__(self, fail_first=0):
        self.posts = []
        self.fail_left = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    if receiver.fail_left > 0:
                        receiver.fail_left -= 1
                        status = 503
                    else:
                        status = 200
                        receiver.posts.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def kinds(self, incident_id):
        with self.lock:
            return [p[2]["kind"] for p in self.posts if p[2]["incident_id"] == incident_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def webhook_lines(allow, targets, enabled=True):
    lines = ["webhook:", f"  enabled: {'true' if enabled else 'false'}", f"  allow: {json.dumps(allow)}",
             "  targets:"]
    for url in targets:
        lines.append(f"    - url: {url}")
    return lines


def configure(daemon, lines):
    with open(daemon.config) as f:
        text = f.read()
    # Regenerate from the harness's text each time (reload tests rewrite it).
    if not hasattr(daemon, "base_config"):
        daemon.base_config = text
    text = daemon.base_config.replace("\nnotifications:\n", "\nnotifications:\n" + "".join(f"  {l}\n" for l in lines), 1)
    with open(daemon.config, "w") as f:
        f.write(text)


def open_incident(daemon, resource):
    status, body = daemon.request("POST", "/api/v1/events", {
        "name": "disk_full", "resource": resource, "severity": "critical", "summary": f"/var full on {resource}"})
    assert status == 200, body
    return wait_until(lambda: [i for i in daemon.incidents() if i["ci"] == resource], what=f"incident on {resource}")[0]


@pytest.fixture
def receiver():
    r = Receiver(fail_first=1)
    yield r
    r.stop()


def test_incident_changes_are_posted_as_json_and_a_503_is_retried(tmp_path, receiver):
    daemon = Tocsind(str(tmp_path))
    url = f"http://127.0.0.1:{receiver.port}/hooks/tocsin?team=noc"
    configure(daemon, webhook_lines([f"127.0.0.1:{receiver.port}"], [url]))
    daemon.start()
    try:
        incident = open_incident(daemon, "db1")
        wait_until(lambda: receiver.kinds(incident["id"]) == ["opened"], what="the opened POST")
        assert daemon.metric("tocsin_notifications_retried_total", channel="webhook") >= 1
        path, headers, doc = receiver.posts[0]
        assert path == "/hooks/tocsin?team=noc"
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Tocsin-Event"] == "opened"
        assert headers["X-Tocsin-Incident"] == str(incident["id"])
        assert headers["Idempotency-Key"].startswith("tocsin-n")
        assert doc["incident_id"] == incident["id"]
        assert doc["state"] == "open"
        assert doc["priority"] == incident["priority"]
        assert doc["ci"] == "db1"
        assert doc["summary"] == incident["title"]
        assert doc["link"].endswith(f"/api/v1/incidents/{incident['id']}")

        status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/acknowledge", {"comment": "on it"})
        assert status == 200, body
        status, body = daemon.request("POST", f"/api/v1/incidents/{incident['id']}/resolve", {"comment": "fixed"})
        assert status == 200, body
        wait_until(lambda: receiver.kinds(incident["id"]) == ["opened", "acknowledged", "resolved"],
                   what="acknowledged and resolved POSTs")
        ack = [p[2] for p in receiver.posts if p[2]["kind"] == "acknowledged"][0]
        assert ack["state"] == "acknowledged" and ack["actor"] == "admin"
        assert ack["acknowledged_at"] is not None
        resolved = [p[2] for p in receiver.posts if p[2]["kind"] == "resolved"][0]
        assert resolved["state"] == "resolved" and resolved["resolved_at"] is not None
        assert daemon.metric("tocsin_notifications_sent_total", channel="webhook") == 3
    finally:
        daemon.stop()


def test_url_outside_the_allow_list_is_refused_by_check_config(tmp_path, receiver):
    daemon = Tocsind(str(tmp_path))
    configure(daemon, webhook_lines(["127.0.0.1:1"], [f"http://127.0.0.1:{receiver.port}/x",
                                                        "http://169.254.169.254/latest/meta-data"]))
    r = subprocess.run([TOCSIND, "--check-config", daemon.config], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    err = r.stdout + r.stderr
    assert f"notifications.webhook.targets[0].url: 127.0.0.1:{receiver.port} is not in notifications.webhook.allow" in err
    assert "notifications.webhook.targets[1].url: 169.254.169.254:80 is not in notifications.webhook.allow" in err
    configure(daemon, webhook_lines(["10.0.0.0/33:*"], []))
    r = subprocess.run([TOCSIND, "--check-config", daemon.config], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "notifications.webhook.allow: '10.0.0.0/33:*': prefix length" in r.stderr, r.stderr


def test_pending_post_to_a_url_taken_off_the_allow_list_is_refused_at_send_time(tmp_path):
    down = free_port()  # nothing listens: the POST waits in the outbox
    daemon = Tocsind(str(tmp_path))
    configure(daemon, webhook_lines([f"127.0.0.1:{down}"], [f"http://127.0.0.1:{down}/hook"]))
    daemon.start()
    try:
        incident = open_incident(daemon, "db9")
        wait_until(lambda: daemon.metric("tocsin_notifications_retried_total", channel="webhook") >= 1,
                   what="a failed POST attempt")
        configure(daemon, webhook_lines(["127.0.0.1:1"], [], enabled=False))
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: daemon.metric("tocsin_webhook_refused_total", reason="not_allowed") == 1,
                   what="the POST refused after the reload")
        assert daemon.metric("tocsin_notifications_failed_total", channel="webhook", reason="rejected") == 1
        assert "configuration reloaded" in daemon.log_text()
        status, body = daemon.request("GET", f"/api/v1/incidents/{incident['id']}")
        assert status == 200, body
    finally:
        daemon.stop()
