"""A real SMTP server for the tests (Debian's python3-aiosmtpd) that keeps each message it accepts in a Maildir.

Run as: python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink MAILDIR [DELAY_MS]   (with this folder on PYTHONPATH)

Recipients whose local part starts with "reject" are refused with 550, as a real server refuses an unknown
mailbox, so the tests can show that one undeliverable address does not hold up the others. The reply quotes the
address, as Postfix's does, so a log line that copies the server's text would carry it.

A message to a recipient starting with "drop" is stored, and then the connection is cut before DATA is answered: the
server has the message, the sender cannot know it. Such a message must be recorded as sent, never sent again.

DELAY_MS (default 0) slows each message down twice, as a busy server does: before RCPT is answered (the sender
still holds the row, uncommitted) and after the message is stored but before DATA is answered (the row is committed
as sent, the "." written). A loopback server that answers at once is done with 200 messages before a test can kill
an instance mid-sweep; with a few milliseconds a kill lands on either side of the sender's commit point.
"""
import asyncio
import mailbox


class Sink:
    def __init__(self, maildir, delay_ms=0):
        self.box = mailbox.Maildir(maildir, create=True)
        self.delay = delay_ms / 1000

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) not in (1, 2):
            parser.error("Sink takes the Maildir folder and, optionally, a delay in milliseconds")
        return cls(args[0], int(args[1]) if len(args) == 2 else 0)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: Mailbox unavailable"
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.original_content or envelope.content)
        if any(r.lower().startswith("drop") for r in envelope.rcpt_tos):
            server.transport.abort()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"
