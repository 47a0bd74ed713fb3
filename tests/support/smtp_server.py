#!/usr/bin/python3
"""A real SMTP server for Tocsin's tests (aiosmtpd, Debian's python3).

Each accepted message is written to a file in --maildir (written in
MAILDIR/.tmp, then renamed, so a reader never sees half a message), with the
envelope as the first two header lines (Return-Path, Delivered-To), as a
local delivery agent would. Prints "READY <port>" on stdout once listening;
--port 0 picks a free port.

    /usr/bin/python3 tests/support/smtp_server.py --port 2526 --maildir /tmp/mail

Optional behaviour, for the failure paths of the e-mail sink:
  --tls-cert C --tls-key K   offer STARTTLS with this certificate
  --require-starttls         refuse everything but EHLO/STARTTLS/QUIT before TLS
  --implicit-tls             TLS from the first byte (smtps) instead of STARTTLS
  --auth-user U --auth-pass P  require AUTH PLAIN or LOGIN with these credentials
  --reject-rcpt ADDR         answer 550 to RCPT TO:<ADDR> (repeatable)
  --tempfail-first N         answer 451 to the first N messages (after DATA)
"""

import argparse
import asyncio
import itertools
import logging
import os
import signal
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class MaildirHandler:
    def __init__(self, maildir, reject_rcpt, tempfail_first):
        self.maildir = maildir
        self.tmpdir = os.path.join(maildir, ".tmp")
        os.makedirs(self.tmpdir, exist_ok=True)
        self.reject_rcpt = {a.lower() for a in reject_rcpt}
        self.tempfail_left = tempfail_first
        self.sequence = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 Temporary failure, please try again later"
        path = self.store(envelope)
        return "250 2.0.0 OK: queued as " + os.path.basename(path)

    def store(self, envelope):
        name = f"{time.time_ns()}.{os.getpid()}.{next(self.sequence)}.eml"
        header = (f"Return-Path: <{envelope.mail_from}>\r\n"
                  f"Delivered-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        tmp = os.path.join(self.tmpdir, name)
        with open(tmp, "wb") as f:
            f.write(header + envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        final = os.path.join(self.maildir, name)
        os.rename(tmp, final)
        return final


def make_authenticator(user, password):
    expected = LoginPassword(user.encode(), password.encode())

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = mechanism in ("PLAIN", "LOGIN") and auth_data == expected
        # handled=False lets aiosmtpd answer 535 itself on failure.
        return AuthResult(success=ok, handled=False)

    return authenticate


def tls_context(args):
    if not args.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def smtp_options(args, context):
    options = {"hostname": "tocsin-test-smtp", "enable_SMTPUTF8": True}
    if context and not args.implicit_tls:
        options.update(tls_context=context, require_starttls=args.require_starttls)
    if args.auth_user:
        options.update(
            authenticator=make_authenticator(args.auth_user, args.auth_pass or ""),
            auth_required=True,
            # Credentials travel in clear only when the test runs without TLS.
            auth_require_tls=bool(context) and not args.implicit_tls,
        )
    return options


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--auth-user")
    p.add_argument("--auth-pass")
    p.add_argument("--reject-rcpt", action="append", default=[])
    p.add_argument("--tempfail-first", type=int, default=0)
    args = p.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if (args.implicit_tls or args.require_starttls) and not args.tls_cert:
        p.error("--implicit-tls and --require-starttls need --tls-cert and --tls-key")
    return args


async def serve(args):
    context = tls_context(args)
    handler = MaildirHandler(args.maildir, args.reject_rcpt, args.tempfail_first)
    options = smtp_options(args, context)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, loop=loop, **options), args.host, args.port,
        ssl=context if args.implicit_tls else None)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    # Callers may pipe stderr without reading it: only errors are written there.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(parse_args()))


if __name__ == "__main__":
    main()
