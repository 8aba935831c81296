"""A real SMTP server for the tests (Debian's python3-aiosmtpd) that keeps each message it accepts in a Maildir.

Run as: python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink MAILDIR   (with this folder on PYTHONPATH)

Recipients whose local part starts with "reject" are refused with 550, as a real server refuses an unknown
mailbox, so the tests can show that one undeliverable address does not hold up the others.
"""
import mailbox


class Sink:
    def __init__(self, maildir):
        self.box = mailbox.Maildir(maildir, create=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Sink takes exactly one argument: the Maildir folder")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"
