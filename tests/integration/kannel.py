"""Real Kannel for the tests: bearerbox + smsbox + fakesmsc on free loopback ports.

Two fake SMSC links: `out` carries the pages (sendsms) to a long-running
fakesmsc that plays the phone network and prints every message it gets;
`in` is where `send_mo` injects a phone's message with a short-lived
fakesmsc, which also receives the reply Kannel sends back to that phone.
"""

import os
import re
import socket
import subprocess
import time
import urllib.parse

from harness import free_port, wait_until

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SENDSMS_USER = "tocsin"
SENDSMS_PASSWORD = "kannel-secret"

GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")


def listening(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def decode(kind, data):
    """fakesmsc prints text url-encoded, UCS-2 as url-encoded UTF-16BE."""
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    if kind.startswith("ucs"):
        return raw.decode("utf-16-be")
    return raw.decode("latin-1")


def parse_messages(text):
    out = []
    for line in text.splitlines():
        m = GOT.search(line)
        if m:
            out.append({"from": m.group(1), "to": m.group(2), "coding": m.group(3),
                        "text": decode(m.group(3), m.group(4))})
    return out


class Kannel:
    def __init__(self, workdir, mo_url=None):
        self.dir = os.path.join(workdir, "kannel")
        os.makedirs(self.dir, exist_ok=True)
        self.admin_port, self.box_port, self.out_port, self.in_port, self.sendsms_port = (
            free_port() for _ in range(5))
        self.mo_url = mo_url
        self.conf = os.path.join(self.dir, "kannel.conf")
        self.procs = []
        self.phone = None
        self.phone_log = os.path.join(self.dir, "fakesmsc-out.log")
        self.injections = 0

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def write_config(self):
        service = f'''
group = sms-service
keyword = default
get-url = "{self.mo_url}"
max-messages = 1
concatenation = true
''' if self.mo_url else ""
        with open(self.conf, "w") as f:
            f.write(f"""
group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = admin
smsbox-port = {self.box_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{self.dir}/bearerbox.log"
log-level = 0
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = out
port = {self.out_port}
connect-allow-ip = 127.0.0.1
denied-smsc-id = in

group = smsc
smsc = fake
smsc-id = in
port = {self.in_port}
connect-allow-ip = 127.0.0.1
allowed-smsc-id = in

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{self.dir}/smsbox.log"
log-level = 0

group = sendsms-user
username = {SENDSMS_USER}
password = {SENDSMS_PASSWORD}
forced-smsc = out
concatenation = true
max-messages = 10
{service}""")

    def _spawn(self, argv, log):
        f = open(log, "ab")
        p = subprocess.Popen(argv, cwd=self.dir, stdout=f, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def start(self):
        self.write_config()
        self._spawn([BEARERBOX, self.conf], os.path.join(self.dir, "bearerbox.out"))
        wait_until(lambda: listening(self.box_port) and listening(self.out_port), what="bearerbox")
        self.phone = self._spawn([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.out_port), "-m", "0", "0 0 text x"],
                                 self.phone_log)
        self._spawn([SMSBOX, self.conf], os.path.join(self.dir, "smsbox.out"))
        wait_until(lambda: listening(self.sendsms_port), what="smsbox sendsms")
        wait_until(lambda: "Fakesmsc client connected" in self.bearerbox_log(), what="fakesmsc connected")

    def bearerbox_log(self):
        try:
            with open(os.path.join(self.dir, "bearerbox.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def received(self):
        """Messages the phone network (fakesmsc on `out`) got, in order."""
        with open(self.phone_log, "rb") as f:
            return parse_messages(f.read().decode("utf-8", "replace"))

    def send_mo(self, sender, receiver, text, expect_reply=True, timeout=20):
        """Injects one message from a phone; returns the replies sent back to it."""
        self.injections += 1
        log = os.path.join(self.dir, f"fakesmsc-in-{self.injections}.log")
        p = self._spawn([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.in_port), "-m", "1",
                         f"{sender} {receiver} text {text}"], log)

        def replies():
            with open(log, "rb") as f:
                return parse_messages(f.read().decode("utf-8", "replace"))
        try:
            if expect_reply:
                return wait_until(replies, timeout=timeout, what=f"the reply to {text!r}")
            time.sleep(2)
            return replies()
        finally:
            p.terminate()
            p.wait(10)
            self.procs.remove(p)

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
