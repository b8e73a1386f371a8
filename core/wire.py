"""An email as the bytes an SMTP server receives, written quickly.

Django's SMTP backend builds every message with the `email` package's modern API (each
header parsed by the header registry, then folded again by the generator): about two
milliseconds a message on a small machine, five times what sending it to a local server
takes. A reminder fan-out sends thousands of simple messages (a subject, one address,
plain text with an HTML alternative, a few ASCII headers), so `message_bytes` writes
those directly and leaves anything else (attachments, Cc, non-ASCII addresses, header
values that need folding or quoting) to the `email` package, exactly as Django would.

The bytes it writes are the MIME structure Django writes (multipart/alternative, each
text part in UTF-8, 7bit when it is ASCII and 8bit otherwise, lines at most 998
characters); `tests/core/test_wire.py` parses both and compares them.
"""

import email.policy
import random
import re
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends import smtp
from django.core.mail.message import DNS_NAME
from django.utils.timezone import get_current_timezone

# A bare address whose header and envelope forms are itself (no display name, nothing
# to quote, ASCII only).
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*)")
# Headers Django writes or treats specially: a message that sets one itself takes the
# slow path.
_OWN_HEADERS = {
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "date",
    "message-id",
    "subject",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}
MAX_LINE = 998  # RFC 5322
_CRLF = b"\r\n"


def _plain_header_value(value: str) -> bool:
    """Written as it is: printable ASCII (no line break, no other control character the
    email package would refuse), nothing a reader could take for an encoded word."""
    return value.isascii() and value.isprintable() and "=?" not in value and len(value) < 900


def _plain_header_name(name: str) -> bool:
    return name.isascii() and name.replace("-", "").isalnum()


@lru_cache(maxsize=64)
def _address_header(name: str, value: str) -> bytes:
    """An address header as the email package writes it (the From, the same for every
    message, so it is parsed once)."""
    return email.policy.SMTP.header_factory(name, value).fold(policy=email.policy.SMTP).encode()


_senders: dict[str, str] = {}


def _envelope_sender(mailer, address: str) -> str:
    """The From's addr-spec (the same for every message, so it is parsed once)."""
    sender = _senders.get(address)
    if sender is None:
        sender = _senders[address] = mailer.prep_address(address)
    return sender


def _subject(subject: str) -> bytes | None:
    if not subject.isprintable():
        return None  # a line break or a control character: the email package decides
    if _plain_header_value(subject):
        return b"Subject: " + subject.encode() + _CRLF
    if subject.isascii():
        return None  # long, or with "=?": the email package folds or encodes it
    folded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    return b"Subject: " + folded.encode("ascii") + _CRLF


def _text_part(text: str, subtype: str) -> bytes | None:
    data = text.encode()
    lines = data.splitlines()
    if any(len(line) > MAX_LINE for line in lines):
        return None  # quoted-printable or base64: the email package's business
    cte = "7bit" if data.isascii() else "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n".encode()
        + _CRLF.join(lines)
        + _CRLF
    )


def _fast_bytes(message: EmailMessage) -> bytes | None:
    """The message's bytes, or None when it is not one of the simple ones."""
    if (
        not isinstance(message.body, str)
        or message.attachments
        or message.cc
        or message.reply_to
        or len(message.to) != 1
        or not _BARE_ADDRESS.fullmatch(message.to[0])
        or not all(_plain_header_value(str(v)) for v in message.extra_headers.values())
        or not all(_plain_header_name(name) for name in message.extra_headers)
        or {name.lower() for name in message.extra_headers} & _OWN_HEADERS
        or message.encoding not in (None, "utf-8")
        or not isinstance(message.subject, str)
    ):
        return None
    alternatives = getattr(message, "alternatives", [])
    if not all(
        isinstance(content, str) and mimetype.startswith("text/")
        for content, mimetype in alternatives
    ):
        return None
    parts = []
    if message.body or not alternatives:
        parts.append(_text_part(message.body, message.content_subtype))
    parts += [_text_part(content, mimetype[5:]) for content, mimetype in alternatives]
    subject = _subject(message.subject)
    if subject is None or None in parts:
        return None
    zone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
    head = [
        subject,
        _address_header("From", str(message.from_email)),
        b"To: " + message.to[0].encode() + _CRLF,
        f"Date: {format_datetime(datetime.now(zone))}\r\n".encode(),
        f"Message-ID: {make_msgid(domain=DNS_NAME)}\r\n".encode(),
        *(f"{name}: {value}\r\n".encode() for name, value in message.extra_headers.items()),
    ]
    if not alternatives:
        content_headers, body = parts[0].split(b"\r\n\r\n", 1)
        return content_headers + _CRLF + b"MIME-Version: 1.0\r\n" + b"".join(head) + _CRLF + body
    boundary = _boundary(parts)
    delimiter = b"--" + boundary
    # The line break before a delimiter belongs to the delimiter (RFC 2046), so each
    # part keeps its own last one, as the email package writes it.
    return (
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="'
        + boundary
        + b'"\r\n'
        + b"".join(head)
        + _CRLF
        + b"".join(delimiter + _CRLF + part + _CRLF for part in parts)
        + delimiter
        + b"--\r\n"
    )


def _boundary(parts: list[bytes]) -> bytes:
    while True:
        token = b"===============%019d==" % random.randrange(10**19)  # noqa: S311 - not a secret
        if not any(token in part for part in parts):
            return token


def message_bytes(message: EmailMessage) -> bytes:
    """What Django's SMTP backend would send for `message`, written directly when the
    message is a simple one."""
    fast = _fast_bytes(message)
    if fast is not None:
        return fast
    return message.message(policy=email.policy.SMTP).as_bytes()


def speaks_smtp(mailer) -> bool:
    """True for Django's SMTP backend (or a subclass that sends the same way)."""
    return isinstance(mailer, smtp.EmailBackend) and type(mailer)._send is smtp.EmailBackend._send


def send_one(mailer, message: EmailMessage) -> None:
    """Send one message over `mailer` (opened if it is not), raising what the server
    said; for the SMTP backend over its connection, with the bytes `message_bytes`
    writes, so a batch keeps one connection and never builds the message twice."""
    if not speaks_smtp(mailer):
        mailer.send_messages([message])
        return
    recipients = message.recipients()
    if not recipients:
        return
    sender = _envelope_sender(mailer, str(message.from_email))
    envelope = [
        address if _BARE_ADDRESS.fullmatch(address) else mailer.prep_address(address)
        for address in recipients
    ]
    data = message_bytes(message)
    mailer.open()
    mailer.connection.sendmail(sender, envelope, data)
