#!/usr/bin/python3
"""smtp-sink.py: a real SMTP server (aiosmtpd) on loopback for the outbox's tests.

usage: smtp-sink.py DIR [--port N] [--refuse ADDRESS]… [--starttls CERT KEY]

Ends when its standard input does (the test that started it ended, even by a crash).
Prints the port it listens on as its first line (--port 0, the default, picks one). Each
message it accepts is saved as DIR/NNNN.eml (the bytes as received) and DIR/NNNN.json (the envelope,
and what Python's own MIME parser reads in the message: headers, subject, text, attachments).
--refuse answers 550 to RCPT TO that address; --starttls offers STARTTLS with that certificate
and refuses mail before it.
"""

import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import ssl
import sys
import threading

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.stderr.write("smtp-sink.py: python3-aiosmtpd is not installed "
                     "(apt-get install python3-aiosmtpd)\n")
    sys.exit(77)


def describe(data):
    """What an independent MIME parser makes of the message."""
    raw = email.message_from_bytes(data, policy=email.policy.compat32)
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    description = {
        "headers": [[name, value] for name, value in raw.items()],
        "subject": str(parsed["Subject"]) if parsed["Subject"] is not None else None,
        "from": str(parsed["From"]) if parsed["From"] is not None else None,
        "message_id": str(parsed["Message-ID"]).strip() if parsed["Message-ID"] else None,
        "content_type": parsed.get_content_type(),
        "max_line_length": max(len(line) for line in data.split(b"\r\n")),
        "bare_line_feeds": data.replace(b"\r\n", b"").count(b"\n"),
        "text": None,
        "attachments": [],
    }
    for part in parsed.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True)
            description["attachments"].append({
                "file_name": part.get_filename(),
                "content_type": part.get_content_type(),
                "transfer_encoding": part.get("Content-Transfer-Encoding"),
                "data": base64.b64encode(payload).decode("ascii"),
            })
        elif part.get_content_type() == "text/plain" and description["text"] is None:
            # Python keeps the CRLF of the wire; the tests compare with the text as written.
            description["text"] = part.get_content().replace("\r\n", "\n")
    return description


class Handler:
    def __init__(self, directory, refused):
        self.directory = directory
        self.refused = set(refused)
        # Started again on the same directory: numbering goes on.
        self.count = len([n for n in os.listdir(directory) if n.endswith(".json")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        description = describe(envelope.original_content)
        description["mail_from"] = envelope.mail_from
        description["rcpt_tos"] = envelope.rcpt_tos
        description["tls"] = session.ssl is not None
        # Written, then renamed: a test that polls the directory never reads half a file.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(description, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Ok: queued as %04d" % self.count


def exit_with_stdin():
    """The test holds the other end of standard input: its end, even a crash, ends this."""
    def watch():
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    exit_with_stdin()

    context = None
    if args.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.starttls)
    handler = Handler(args.directory, args.refuse)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", tls_context=context,
                     require_starttls=context is not None),
        host="127.0.0.1", port=args.port, reuse_address=True))
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
