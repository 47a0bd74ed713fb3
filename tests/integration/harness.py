"""Test harness: starts the real tocsind and real servers on loopback.

Everything runs in a temporary directory; ports are picked free at start. The
daemon is the binary of the build under test (TOCSIN_BUILD_DIR).
"""

import email
import email.policy
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import time
import urllib.error
import urllib.request

SOURCE_DIR = os.environ.get("TOCSIN_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("TOCSIN_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
TOCSIND = os.path.join(BUILD_DIR, "daemon", "tocsind")
TOCSINCTL = os.path.join(BUILD_DIR, "daemon", "tocsinctl")
ADMIN_TOKEN = "test-admin-token"
VIEWER_TOKEN = "test-viewer-token"


def free_port(kind=socket.SOCK_STREAM):
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def stored_events(db_path):
    """The events the store committed, oldest first, read from its event journal
    (store/sqlite/README.md): as dicts of id, alert_id, source and raw (bytes)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        segment, end_offset = db.execute("SELECT segment, end_offset FROM event_journal WHERE id = 1").fetchone()
    finally:
        db.close()
    events = []
    for number in range(1, segment + 1):
        name = os.path.join(f"{db_path}-events", f"{number:08d}.log")
        if not os.path.exists(name):
            continue
        with open(name, "rb") as f:
            data = f.read() if number < segment else f.read(end_offset)
        pos = 0
        while pos < len(data):
            size, _crc = struct.unpack_from("<II", data, pos)
            body = data[pos + 8:pos + 8 + size]
            if body[0] != 0:  # 0: deferred repeat counters, not an event
                events.append(_journal_event(body))
            pos += 8 + size
    return events


def _journal_event(body):
    pos = 0

    def varint():
        nonlocal pos
        n, shift = 0, 0
        while True:
            b = body[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
            shift += 7

    def string():
        nonlocal pos
        n = varint()
        pos += n
        return body[pos - n:pos]

    event_id, alert_id, _previous, _received = varint(), varint(), varint(), varint()
    source = string().decode()
    for _ in range(11):  # source_address … fingerprint, attributes, fingerprint keys
        string()
    return {"id": event_id, "alert_id": alert_id, "source": source, "raw": string()}


def wait_until(predicate, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value: {last!r})")


class SmtpServer:
    """tests/support/smtp_server.py: a real aiosmtpd server writing a maildir."""

    def __init__(self, workdir, port):
        self.port = port
        self.maildir = os.path.join(workdir, "mail")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(SOURCE_DIR, "tests", "support", "smtp_server.py"),
             "--port", str(self.port), "--maildir", self.maildir],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("READY"), f"smtp server did not start: {line!r} {self.proc.stderr.read()}"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def messages(self):
        if not os.path.isdir(self.maildir):
            return []
        out = []
        for name in sorted(os.listdir(self.maildir)):
            path = os.path.join(self.maildir, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return out


REPLY_DOMAIN = "tocsin.test"


def email_in_yaml(port, domain=REPLY_DOMAIN):
    """tocsind's SMTP listener for replies to pages, on 127.0.0.1:`port`."""
    return f"""
email_in:
  enabled: true
  listen: 127.0.0.1:{port}
  hostname: {domain}
  accepted_domains: [{domain}]
"""


def email_pages(smtp, incident_id, count=1, to=None):
    """The e-mail pages of one incident (to one address, if given) that reached
    `smtp`, parsed, once there are at least `count`."""
    def found():
        mails = [email.message_from_string(m, policy=email.policy.default) for m in smtp.messages()]
        mine = [m for m in mails if m["X-Tocsin-Incident"] == str(incident_id) and (to is None or m["To"] == to)]
        return mine if len(mine) >= count else None
    return wait_until(found, what=f"{count} e-mail page(s) of incident {incident_id}")


def swaks_reply(port, page, body, sender="alice@example.net", subject=None):
    """Replies to `page` on tocsind's SMTP listener as a mail client would: the
    Re: subject (with the page's signed token), In-Reply-To and References.
    Returns swaks' exit code and transcript."""
    subject = subject or "Re: " + str(page["Subject"])
    cmd = ["swaks", "--server", "127.0.0.1", "--port", str(port), "--helo", "mua.example.net",
           "--from", sender, "--to", str(page["Reply-To"]), "--timeout", "20",
           "--header", f"Subject: {subject}", "--header", f"In-Reply-To: {page['Message-ID']}",
           "--header", f"References: {page['References']} {page['Message-ID']}", "--body", body]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


class Tocsind:
    """The real daemon on a generated configuration."""

    def __init__(self, workdir, smtp_port=None, extra_yaml=""):
        self.workdir = workdir
        self.api_port = free_port()
        self.syslog_port = free_port()
        self.smtp_port = smtp_port or free_port()
        self.config = os.path.join(workdir, "tocsin.yaml")
        self.log = os.path.join(workdir, "tocsind.log")
        self.proc = None
        self.write_config(extra_yaml)

    def write_config(self, extra_yaml="", rules_yaml="", notifications_yaml=""):
        with open(self.config, "w") as f:
            f.write(f"""
log:
  level: debug
store:
  path: {self.workdir}/var/tocsin.db
api:
  listen: 127.0.0.1:{self.api_port}
  tokens:
    - name: admin
      role: admin
      token: {ADMIN_TOKEN}
    - name: viewer
      role: viewer
      token: {VIEWER_TOKEN}
syslog:
  udp:
    - listen: 127.0.0.1:{self.syslog_port}
  tcp:
    - listen: 127.0.0.1:{self.syslog_port}
      idle_timeout: 30s
{rules_yaml}
notifications:
  initial_backoff: 200ms
  max_backoff: 1s
  poll_interval: 200ms
{notifications_yaml}
  email:
    enabled: true
    server: 127.0.0.1:{self.smtp_port}
    from: tocsin@test.local
    recipients: [noc@test.local]
{extra_yaml}
""")

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([TOCSIND, "--config", self.config], cwd=self.workdir, stdout=logf, stderr=logf)
        wait_until(self.ready, what="tocsind /readyz")

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"tocsind exited with {self.proc.returncode}:\n{self.log_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/readyz", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            return self.proc.wait(timeout)
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.kill()
        self.proc.wait(10)

    def request(self, method, path, body=None, token=ADMIN_TOKEN):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.api_port}{path}", data=data, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text and r.headers.get_content_type() == "application/json" else text)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    def incidents(self, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        status, body = self.request("GET", "/api/v1/incidents" + (f"?{query}" if query else ""))
        assert status == 200, body
        return body["incidents"]

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/metrics", timeout=5) as r:
            return r.read().decode()

    def metric(self, name, **labels):
        """Value of one sample of /metrics, 0 when absent."""
        want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
        for line in self.metrics().splitlines():
            if line.startswith("#"):
                continue
            key, _, value = line.rpartition(" ")
            if key == want:
                return float(value)
        return 0.0


def logger(port, message, tag, transport="udp", rfc="rfc3164", octet_count=False, priority="local7.err"):
    """Send one message with util-linux logger, as a device or server would."""
    cmd = ["logger", "-n", "127.0.0.1", "-P", str(port), "-t", tag, "-p", priority, f"--{rfc}"]
    cmd.append("-d" if transport == "udp" else "-T")
    if octet_count:
        cmd.append("--octet-count")
    cmd.append(message)
    subprocess.run(cmd, check=True, timeout=10)


class Alertmanager:
    """A real prometheus-alertmanager on loopback whose one webhook receiver
    posts to tocsind's /api/v1/integrations/alertmanager with a bearer token."""

    BINARY = "/usr/bin/prometheus-alertmanager"

    def __init__(self, workdir, webhook_url, token, group_wait="1s", group_interval="1s"):
        self.port = free_port()
        self.dir = os.path.join(workdir, "alertmanager")
        os.makedirs(self.dir, exist_ok=True)
        self.config = os.path.join(self.dir, "alertmanager.yml")
        self.log = os.path.join(self.dir, "alertmanager.log")
        self.proc = None
        with open(self.config, "w") as f:
            f.write(f"""
route:
  receiver: tocsin
  group_by: [alertname, instance]
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: 1h
receivers:
  - name: tocsin
    webhook_configs:
      - url: {webhook_url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
""")

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [self.BINARY, f"--config.file={self.config}", f"--storage.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=logf, stderr=logf)
        wait_until(self.ready, what="alertmanager /-/ready")

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"alertmanager exited with {self.proc.returncode}:\n{self.log_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def post_alerts(self, alerts):
        """POST /api/v2/alerts, as Prometheus does."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200, r.status

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class MosquittoBroker:
    """A real mosquitto broker on a free loopback port, with persistence (so
    that queued QoS 1 messages survive) and no limit on what it queues for a
    client that is away."""

    def __init__(self, workdir, port=None):
        self.port = port or free_port()
        self.dir = os.path.join(workdir, "mosquitto")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        self.log = os.path.join(self.dir, "mosquitto.log")
        self.proc = None
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\n"
                    "allow_anonymous true\n"
                    "persistence true\n"
                    f"persistence_location {self.dir}/\n"
                    "max_queued_messages 0\n"
                    "log_dest stderr\n")

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=logf, stderr=logf)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False
        wait_until(listening, what="mosquitto listening")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def publish(self, topic, message, qos=1, protocol="mqttv311"):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-q", str(qos), "-V", protocol,
                        "-t", topic, "-m", message], check=True, timeout=20)


def mqtt_yaml(broker_port, protocol="3.1.1", client_id="tocsind-test", extra=""):
    """An `mqtt:` section for Tocsind(extra_yaml=...)."""
    return f"""
mqtt:
  brokers:
    - server: 127.0.0.1:{broker_port}
      protocol: "{protocol}"
      client_id: {client_id}
      topics: [tocsin/#]
      initial_backoff: 100ms
      max_backoff: 500ms
  topic_pattern: tocsin/{{site}}/{{device}}
{extra}
"""
