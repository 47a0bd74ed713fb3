"""Hostile and broken syslog input gets a counted rejection; the daemon keeps
serving everyone else."""

import socket
import ssl
import time

import pytest

from harness import Tocsind, logger, wait_until


@pytest.fixture
def daemon(tmp_path):
    d = Tocsind(str(tmp_path))
    d.start()
    yield d
    d.stop()


def send_udp(port, payload):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(payload, ("127.0.0.1", port))


def still_serves(daemon, interface):
    logger(daemon.syslog_port, f"Interface {interface}, changed state to down", "%LINK-3-UPDOWN")
    wait_until(lambda: any(interface in i["title"] for i in daemon.incidents()), what=f"incident for {interface}")


def test_invalid_pri_and_garbage_are_counted_over_udp(daemon):
    send_udp(daemon.syslog_port, b"<999>Mar  1 18:46:11 host app: bad pri")
    send_udp(daemon.syslog_port, b"<abc>garbage")
    wait_until(lambda: daemon.metric("tocsin_syslog_rejected_total", reason="bad_pri") == 2, what="bad_pri counted")
    still_serves(daemon, "Gi1/0/1")


def test_tls_handshake_on_the_plain_port_is_refused_and_counted(daemon):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", daemon.syslog_port), timeout=5) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            with ctx.wrap_socket(raw) as tls:
                tls.recv(1)
    wait_until(lambda: daemon.metric("tocsin_syslog_rejected_total", reason="not_syslog") >= 1,
               what="not_syslog counted")
    still_serves(daemon, "Gi1/0/2")


def test_one_megabyte_line_is_cut_and_counted(daemon):
    with socket.create_connection(("127.0.0.1", daemon.syslog_port), timeout=5) as s:
        s.sendall(b"<11>" + b"A" * (1 << 20) + b"\n")
        s.sendall(b"<187>Mar  1 18:46:11 sw9 %LINK-3-UPDOWN: Interface Gi1/0/3, changed state to down\n")
        wait_until(lambda: daemon.metric("tocsin_syslog_rejected_total", reason="frame_too_long") >= 1,
                   what="frame_too_long counted")
        wait_until(lambda: any("Gi1/0/3" in i["title"] for i in daemon.incidents()), what="the next frame accepted")


def test_truncated_octet_count_closes_only_that_connection(daemon):
    with socket.create_connection(("127.0.0.1", daemon.syslog_port), timeout=5) as s:
        s.sendall(b"120 <11>1 - host app - - - short")
    wait_until(lambda: daemon.metric("tocsin_syslog_rejected_total", reason="truncated") >= 1,
               what="truncated counted")
    still_serves(daemon, "Gi1/0/4")


def test_half_open_connection_does_not_block_others(daemon):
    idle = socket.create_connection(("127.0.0.1", daemon.syslog_port), timeout=5)
    idle.sendall(b"<11>1 - host app - - - no newline yet")
    try:
        still_serves(daemon, "Gi1/0/5")
    finally:
        idle.close()
