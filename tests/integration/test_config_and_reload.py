"""The binary's contracts: --version, --check-config with file:line errors,
SIGHUP reload that rejects a bad file and applies a good one."""

import os
import signal
import subprocess

from harness import SOURCE_DIR, TOCSIND, Tocsind, logger, wait_until


def run(*args):
    return subprocess.run([TOCSIND, *args], capture_output=True, text=True, timeout=30)


def test_version():
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("tocsind ")


def test_example_config_is_valid():
    r = run("--check-config", os.path.join(SOURCE_DIR, "config", "examples", "local.yaml"))
    assert r.returncode == 0, r.stderr


def test_check_config_lists_every_error_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "api:\n"
        "  listen: 127.0.0.1:80800\n"         # line 2: bad port
        "  tokens:\n"
        "    - name: x\n"
        "      role: root\n"                  # line 5: bad role
        "      token: t\n"
        "syslog:\n"
        "  udp:\n"
        "    - listen: 127.0.0.1:5514\n"
        "      recieve_buffer: 8MiB\n"        # line 10: unknown key (typo)
        "  tcp:\n"
        "    - listen: 127.0.0.1:5514\n"
        "      tls: true\n"                   # line 13: tls needs certificate and key
        "      certificate: /nonexistent.pem\n"  # line 14: missing file
        "  rules:\n"
        "    - name: broken\n"
        "      match: {message: '(unclosed'}\n"
        "      event: x\n"
        "logging: {}\n"                       # line 19: unknown section
    )
    r = run("--check-config", str(bad))
    assert r.returncode == 1
    err = r.stderr
    path = str(bad)
    assert f"{path}:2: api.listen: '127.0.0.1:80800' is not an address" in err
    assert f"{path}:5: api.tokens[0].role: 'root' is not allowed" in err
    assert f"{path}:10: syslog.udp[0].recieve_buffer: unknown key" in err
    assert f"{path}:14: syslog.tcp[0].certificate: cannot read file '/nonexistent.pem'" in err
    assert "tls: true needs `certificate` and `key`" in err
    assert f"{path}:16: rule 'broken': match.message: bad pattern" in err
    assert f"{path}:19: logging: unknown key" in err


def test_check_config_reports_yaml_syntax_errors_with_line(tmp_path):
    bad = tmp_path / "syntax.yaml"
    bad.write_text("api:\n  listen: [127.0.0.1:8080\n")
    r = run("--check-config", str(bad))
    assert r.returncode == 1
    assert f"{bad}:" in r.stderr and "YAML syntax error" in r.stderr


def test_sighup_rejects_a_bad_file_and_applies_a_good_one(tmp_path):
    daemon = Tocsind(str(tmp_path))
    daemon.start()
    try:
        good = open(daemon.config).read()
        with open(daemon.config, "a") as f:
            f.write("this_is_not_a_key: 1\n")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload rejected" in daemon.log_text(), what="the rejection in the log")
        assert daemon.proc.poll() is None
        logger(daemon.syslog_port, "Interface Gi0/1, changed state to down", "%LINK-3-UPDOWN")
        wait_until(lambda: len(daemon.incidents()) == 1, what="the old configuration still serving")

        # A good file with a new rule: the rule applies without a restart.
        daemon.write_config(rules_yaml="""  rules:
    - name: fan-failure
      match: {message: 'Fan (?P<fan>\\d+) failed'}
      event: fan_failure
      severity: critical
      fingerprint: [fan]
""")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "configuration reloaded" in daemon.log_text(), what="the reload in the log")
        logger(daemon.syslog_port, "Fan 2 failed", "%ENVMON-2-FAN")
        fan = wait_until(lambda: [i for i in daemon.incidents() if i["severity"] == "critical"], what="fan incident")
        assert fan[0]["priority"] == "P1"
    finally:
        daemon.stop()


def test_reference_documentation_matches_the_schema():
    r = run("--config-reference")
    assert r.returncode == 0
    with open(os.path.join(SOURCE_DIR, "docs", "config.md")) as f:
        assert f.read() == r.stdout, "docs/config.md is stale: run `make docs`"
