"""MQTT end to end: a real mosquitto broker and real mosquitto_pub -q 1 →
incidents in the API; clear resolves; messages published while tocsind is
down arrive when it returns; kill -9 during 10,000 QoS 1 messages loses none
and stores none twice; no broker → one warning, then quiet retries."""

import os
import subprocess
import threading
import time

import pytest

from harness import MosquittoBroker, Tocsind, mqtt_yaml, stored_events, wait_until


@pytest.fixture
def broker(tmp_path):
    b = MosquittoBroker(str(tmp_path))
    b.start()
    yield b
    b.stop()


def start_daemon(tmp_path, broker, **kw):
    daemon = Tocsind(str(tmp_path), extra_yaml=mqtt_yaml(broker.port, **kw))
    daemon.start()
    wait_until(lambda: daemon.metric("tocsin_mqtt_connections_total", broker=f"127.0.0.1:{broker.port}",
                                     outcome="connected") >= 1,
               what="MQTT connected")
    return daemon


def mqtt_events(daemon):
    return [(e["raw"],) for e in stored_events(f"{daemon.workdir}/var/tocsin.db") if e["source"] == "mqtt"]


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_json_alert_opens_incident_and_resolved_clears_it(tmp_path, broker, protocol):
    daemon = start_daemon(tmp_path, broker, protocol=protocol)
    try:
        v = "mqttv5" if protocol == "5" else "mqttv311"
        broker.publish("tocsin/par1/sw1", '{"name":"psu_failed","severity":"critical","summary":"PSU 2 failed"}',
                       protocol=v)
        found = wait_until(lambda: daemon.incidents(state="open"), what="an open incident")
        assert len(found) == 1
        assert found[0]["title"] == "PSU 2 failed"
        assert found[0]["severity"] == "critical"

        broker.publish("tocsin/par1/sw1", '{"name":"psu_failed","status":"resolved","summary":"PSU 2 ok"}',
                       protocol=v)
        wait_until(lambda: daemon.incidents(state="resolved"), what="the incident resolved")
    finally:
        daemon.stop()


def test_messages_published_while_tocsind_is_down_arrive_when_it_returns(tmp_path, broker):
    daemon = start_daemon(tmp_path, broker)
    daemon.stop()
    for i in range(5):
        broker.publish("tocsin/lab/host1", f"queued while away {i}")
    daemon.start()
    rows = wait_until(lambda: len(mqtt_events(daemon)) == 5 and mqtt_events(daemon), what="5 queued messages")
    assert sorted(r[0].decode() if isinstance(r[0], bytes) else r[0] for r in rows) == [
        f"queued while away {i}" for i in range(5)]
    daemon.stop()


def test_garbage_is_rejected_counted_and_acknowledged(tmp_path, broker):
    daemon = start_daemon(tmp_path, broker, extra="  format: json")
    try:
        broker.publish("tocsin/lab/x", "{not json")
        wait_until(lambda: daemon.metric("tocsin_mqtt_rejected_total", reason="invalid_json") == 1,
                   what="the rejection counted")
        broker.publish("tocsin/lab/x", '{"name":"after_garbage"}')
        wait_until(lambda: daemon.incidents(state="open"), what="the next message still taken")
    finally:
        daemon.stop()


def interrupt_during_10000_qos1_messages(tmp_path, broker, interrupt, label):
    """Publishes 10,000 QoS 1 messages, interrupts tocsind after 1,000 are
    stored, restarts it, and checks that each message is stored exactly once."""
    total = 10_000
    daemon = start_daemon(tmp_path, broker, protocol="5")
    started = time.monotonic()
    publisher = subprocess.Popen(
        ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-V", "mqttv5",
         "-t", "tocsin/load/gen", "-l"], stdin=subprocess.PIPE)
    # Fed over about two seconds, so that the interruption lands while the
    # publisher is still sending, however fast tocsind stores.
    def feed():
        chunk = 50
        for start in range(0, total, chunk):
            publisher.stdin.write("".join(f"{label} message {i}\n" for i in range(start, start + chunk)).encode())
            publisher.stdin.flush()
            time.sleep(0.01)
        publisher.stdin.close()

    feeder = threading.Thread(target=feed)
    feeder.start()

    wait_until(lambda: len(mqtt_events(daemon)) >= 1000, timeout=60, what="1000 messages stored")
    interrupt(daemon)
    stored_at_interrupt = len(mqtt_events(daemon))
    assert stored_at_interrupt < total, "the interruption came after the last message: nothing was tested"
    feeder.join()
    assert publisher.wait(60) == 0
    daemon.start()
    wait_until(lambda: len(mqtt_events(daemon)) >= total, timeout=80, interval=0.5, what=f"{total} messages stored")
    time.sleep(1)  # let any redelivery land, so that a duplicate would be seen
    raws = [r[0].decode() if isinstance(r[0], bytes) else r[0] for r in mqtt_events(daemon)]
    assert len(raws) == total
    assert len(set(raws)) == total
    assert set(raws) == {f"{label} message {i}" for i in range(total)}
    assert time.monotonic() - started < 90
    print(f"stored before the interruption: {stored_at_interrupt}; redeliveries recognized after restart: "
          f"{daemon.metric('tocsin_mqtt_duplicates_total')}")
    daemon.stop()


def test_kill9_during_10000_qos1_messages_stores_each_exactly_once(tmp_path, broker):
    interrupt_during_10000_qos1_messages(tmp_path, broker, lambda daemon: daemon.kill9(), "kill")


def test_sigterm_during_10000_qos1_messages_stores_each_exactly_once(tmp_path, broker):
    # A stop lands while batches are read ahead of their commit: what was read
    # is committed before any of its PUBACKs is written, the rest waits on the
    # broker's persistent session.
    def stop(daemon):
        assert daemon.stop() == 0

    interrupt_during_10000_qos1_messages(tmp_path, broker, stop, "stop")


def test_no_broker_warns_once_then_retries_quietly(tmp_path):
    from harness import free_port
    port = free_port()
    daemon = Tocsind(str(tmp_path), extra_yaml=mqtt_yaml(port))
    daemon.start()
    try:
        wait_until(lambda: daemon.metric("tocsin_mqtt_connections_total", broker=f"127.0.0.1:{port}",
                                         outcome="failed") >= 4,
                   what="several connection attempts")
        log = daemon.log_text()
        assert log.count("unreachable") >= 4
        warnings = [l for l in log.splitlines() if "unreachable" in l and "warn" in l]
        assert len(warnings) == 1, warnings
    finally:
        daemon.stop()
