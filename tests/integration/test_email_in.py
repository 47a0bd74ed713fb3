"""Alert mail in: the real `swaks` sends Nagios, Icinga 2, Zabbix and Chinese
(GBK) mail to tocsind's SMTP listener → incidents in the API with decoded
subjects, a recovery mail resolves; bad input gets the right SMTP reply and
counter; a 250 means the event survived kill -9."""

import base64
import os
import socket
import subprocess

import pytest

from harness import Tocsind, free_port, wait_until

DOMAIN = "tocsin.test"


def email_yaml(port):
    return f"""
email_in:
  enabled: true
  listen: 127.0.0.1:{port}
  hostname: tocsin.test
  accepted_domains: [{DOMAIN}]
  max_message: 64KiB
  max_mime_parts: 50
"""


@pytest.fixture
def daemon(tmp_path):
    port = free_port()
    d = Tocsind(str(tmp_path), extra_yaml=email_yaml(port))
    d.email_port = port
    d.start()
    yield d
    d.stop()


def swaks(daemon, *args, to=f"alerts@{DOMAIN}", sender="monitor@example.com"):
    """Runs swaks against tocsind; returns (exit code, transcript)."""
    cmd = ["swaks", "--server", "127.0.0.1", "--port", str(daemon.email_port), "--helo", "mon01.example.com",
           "--to", to, "--from", sender, "--timeout", "20", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def send_data(daemon, tmp_path, name, message, **kw):
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as f:
        f.write(message if isinstance(message, bytes) else message.encode())
    return swaks(daemon, "--data", path, **kw)


def accepted(result):
    code, transcript = result
    assert code == 0 and "<-  250 2.0.0 Message accepted" in transcript, transcript
    return transcript


def b64(text, charset):
    return base64.b64encode(text.encode(charset)).decode()


def incident_titled(daemon, title, **filters):
    return wait_until(lambda: [i for i in daemon.incidents(**filters) if i["title"] == title],
                      what=f"incident {title!r} {filters}")[0]


GBK_SUBJECT = "告警：数据库服务器磁盘空间不足"
GBK_RECOVERY = "恢复：数据库服务器磁盘空间不足"
GBK_BODY = "主机: db01\n问题: 磁盘使用率 95%\n联系人: 张喆\n"
REPORT_SUBJECT = "张喆报告: 机房服务器宕机"


def gbk_mail(subject, body):
    return (f"From: =?gbk?B?{b64('监控中心', 'gbk')}?= <monitor@example.cn>\r\nTo: alerts@tocsin.test\r\n"
            f"Subject: =?gb2312?B?{b64(subject, 'gbk')}?=\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"{b64(body, 'gbk')}\r\n")


def test_swaks_mails_become_incidents_with_decoded_subjects_and_recovery_resolves(daemon, tmp_path):
    # Plain text, as Nagios' notify-service-by-email sends it.
    accepted(swaks(daemon, "--header", "Subject: ** PROBLEM Service Alert: web01/HTTP is CRITICAL **",
                   "--body", "Service: HTTP\nHost: web01\nState: CRITICAL\n", sender="nagios@mon01.example.com"))
    # Quoted-printable (Icinga 2 through mailutils).
    accepted(send_data(daemon, tmp_path, "icinga.eml",
                       "From: icinga@mon02.example.com\r\nTo: alerts@tocsin.test\r\n"
                       "Subject: [PROBLEM] ping4 on db-02 is WARNING!\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                       "PING WARNING - Packet loss =3D 16%\r\n"))
    # multipart/mixed with a base64 attachment (Zabbix with a graph), built by swaks itself.
    zabbix_body = "Problem name: High CPU utilization\nHost: app03\nSeverity: Disaster\n"
    graph = os.path.join(str(tmp_path), "graph.csv")
    with open(graph, "w") as f:
        f.write("time,cpu\n10:00,97\n")
    accepted(swaks(daemon, "--header", "Subject: Problem: High CPU utilization", "--body", zabbix_body,
                   "--attach-type", "text/csv", "--attach", graph, sender="zabbix@example.com"))
    # GBK from a Chinese-language Zabbix: encoded-word subject labelled gb2312, base64 GBK body.
    accepted(send_data(daemon, tmp_path, "gbk.eml", gbk_mail(GBK_SUBJECT, GBK_BODY)))
    # A person reporting a fault by plain mail; 喆 is GBK but not GB2312, as the label claims.
    accepted(send_data(daemon, tmp_path, "report.eml", gbk_mail(REPORT_SUBJECT, "服务器宕机，请尽快处理。\n")))

    http = incident_titled(daemon, "HTTP on web01 is CRITICAL", state="open")
    assert http["severity"] == "critical" and http["ci"] == "web01"
    ping = incident_titled(daemon, "ping4 on db-02 is WARNING", state="open")
    assert ping["severity"] == "warning"
    cpu = incident_titled(daemon, "High CPU utilization on app03", state="open")
    assert cpu["severity"] == "critical"
    disk = incident_titled(daemon, "数据库服务器磁盘空间不足 on db01", state="open")
    assert disk["ci"] == "db01"
    status, detail = daemon.request("GET", f"/api/v1/incidents/{disk['id']}")
    assert detail["alerts"][0]["attributes"]["subject"] == GBK_SUBJECT
    report = incident_titled(daemon, REPORT_SUBJECT, state="open")
    assert report["ci"] == "monitor@example.cn"
    status, detail = daemon.request("GET", f"/api/v1/incidents/{report['id']}")
    assert status == 200
    assert detail["alerts"][0]["attributes"]["group"] == "service-desk"

    accepted(swaks(daemon, "--header", "Subject: ** RECOVERY Service Alert: web01/HTTP is OK **",
                   "--body", "Service: HTTP\nHost: web01\nState: OK\n", sender="nagios@mon01.example.com"))
    accepted(send_data(daemon, tmp_path, "gbk-recovery.eml", gbk_mail(GBK_RECOVERY, GBK_BODY)))
    assert incident_titled(daemon, "HTTP on web01 is CRITICAL", state="resolved")["id"] == http["id"]
    assert incident_titled(daemon, "数据库服务器磁盘空间不足 on db01", state="resolved")["id"] == disk["id"]
    assert sorted(i["id"] for i in daemon.incidents(state="open")) == sorted([ping["id"], cpu["id"], report["id"]])
    assert daemon.metric("tocsin_email_messages_total", outcome="accepted") == 7


def smtp_dialogue(port, lines, data=None):
    """A hand-written client for what swaks refuses to send (bare LF)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")

        def reply():
            out = []
            while True:
                line = f.readline().decode()
                out.append(line)
                if len(line) < 4 or line[3] != "-":
                    return "".join(out)

        reply()
        for line in lines:
            s.sendall(line.encode() + b"\r\n")
            last = reply()
        if data is not None:
            s.sendall(data)
            last = reply()
        return last


def test_bad_input_gets_the_right_reply_and_counter(daemon, tmp_path):
    code, transcript = swaks(daemon, "--header", "Subject: hi", to="someone@elsewhere.example")
    assert "<** 550 5.1.1" in transcript, transcript
    assert daemon.metric("tocsin_email_rejected_total", reason="unknown_domain") == 1

    code, transcript = swaks(daemon, "--header", "Subject: big", "--body", "x" * 70 + ("\n" + "y" * 70) * 1000)
    assert "<** 552 5.3.4" in transcript, transcript
    assert daemon.metric("tocsin_email_rejected_total", reason="too_large") == 1

    last = smtp_dialogue(daemon.email_port, ["EHLO c", "MAIL FROM:<a@example.com> SIZE=10000000"])
    assert last.startswith("552 5.3.4"), last
    assert daemon.metric("tocsin_email_rejected_total", reason="too_large") == 2

    smuggled = b"Subject: x\r\n\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n"
    last = smtp_dialogue(daemon.email_port, ["EHLO c", "MAIL FROM:<a@example.com>", f"RCPT TO:<a@{DOMAIN}>", "DATA"],
                         smuggled)
    assert last.startswith("550 5.6.0 Bare LF"), last
    assert daemon.metric("tocsin_email_rejected_total", reason="bare_lf") == 1

    bomb = "From: x@example.com\r\nSubject: bomb\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    bomb += "--b\r\nContent-Type: text/plain\r\n\r\npart\r\n" * 500 + "--b--\r\n"
    code, transcript = send_data(daemon, tmp_path, "bomb.eml", bomb)
    assert "<** 554 5.6.0" in transcript, transcript
    assert daemon.metric("tocsin_email_rejected_total", reason="mime_too_many_parts") == 1

    last = smtp_dialogue(daemon.email_port, ["RCPT TO:<a@tocsin.test>"])
    assert last.startswith("503"), last
    assert daemon.incidents() == []
    assert daemon.ready()


def test_250_means_the_event_survives_kill9(daemon, tmp_path):
    for i in range(3):
        accepted(swaks(daemon, "--header", f"Subject: ** PROBLEM Host Alert: sw{i} is DOWN **", "--body", "DOWN"))
    daemon.kill9()
    daemon.start()
    titles = sorted(i["title"] for i in daemon.incidents(state="open"))
    assert titles == ["Host sw0 is DOWN", "Host sw1 is DOWN", "Host sw2 is DOWN"]
