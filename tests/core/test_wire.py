"""The bytes `core.wire` writes for a simple email are the message Django's SMTP backend
would send (parsed, they are equal), and anything less simple is Django's own."""

import email.policy
from email.parser import BytesParser

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives

from core import wire

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://okrs.example.com/unsubscribe/eyJ1IjoxfQ:1x:abc/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def alternative(subject="Check-in time for Onboarding (2026-W49)", body="Hello Ana,\n", **kw):
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=[kw.pop("to", "ana@example.com")], **kw
    )
    message.attach_alternative("<p>Hello Ana,</p>\n", "text/html")
    return message


def html_only():
    message = EmailMessage(subject="Only HTML", body="<p>Hi</p>", to=["ana@example.com"])
    message.content_subtype = "html"
    return message


SIMPLE = {
    "reminder": lambda: alternative(headers=UNSUBSCRIBE),
    "non-ASCII subject and body": lambda: alternative(
        subject="Check-in für Zahlungsverkehr Köln — " + "ä" * 80,
        body="Grüße,\r\nDas Team\n\n. a line with a dot\n",
    ),
    "plain text only": lambda: EmailMessage(subject="Hi", body="One\ntwo", to=["a@b.example"]),
    "HTML only": html_only,
    "empty body with an alternative": lambda: alternative(body=""),
}
NOT_SIMPLE = {
    "an attachment": lambda: EmailMessage(
        subject="x", body="y", to=["a@b.example"], attachments=[("a.txt", "z", "text/plain")]
    ),
    "a copy": lambda: EmailMessage(subject="x", body="y", to=["a@b.example"], cc=["c@b.example"]),
    "a line over 998 characters": lambda: alternative(body="x" * 1200),
    "a display name": lambda: alternative(to="Ana Lima <ana@example.com>"),
    "a non-ASCII address": lambda: alternative(to="ana@bücher.example"),
    "a long ASCII subject": lambda: alternative(subject="word " * 200),
    "an encoded word in the subject": lambda: alternative(subject="=?utf-8?q?x?="),
    "a Date of its own": lambda: alternative(headers={"Date": "Mon, 30 Nov 2026 09:00:00 +0000"}),
}


def parsed(data: bytes):
    return BytesParser(policy=email.policy.default).parsebytes(data)


def shape(message) -> dict:
    """What a reader sees of a message: its headers (but the unique ones, and
    MIME-Version, which Django leaves out of a message that is only alternatives), and
    each part."""
    leaves = list(message.walk()) if message.is_multipart() else [message]
    return {
        "headers": {
            name: str(value)
            for name, value in message.items()
            if name not in ("Date", "Message-ID", "Content-Type", "MIME-Version")
        },
        "type": message.get_content_type(),
        "parts": [
            (leaf.get_content_type(), leaf.get_content_charset(), leaf.get_content())
            for leaf in leaves
            if not leaf.is_multipart()
        ],
        "defects": [defect for leaf in leaves for defect in leaf.defects],
    }


@pytest.mark.parametrize("make", SIMPLE.values(), ids=SIMPLE.keys())
def test_a_simple_message_is_written_directly_as_django_would_send_it(make):
    fast = wire._fast_bytes(make())
    assert fast is not None
    django = make().message(policy=email.policy.SMTP).as_bytes()
    assert shape(parsed(fast)) == shape(parsed(django))
    assert shape(parsed(fast))["defects"] == []
    assert parsed(fast)["Date"].datetime is not None and parsed(fast)["Message-ID"]
    assert all(len(line) <= wire.MAX_LINE for line in fast.split(b"\r\n"))
    assert b"\n" not in fast.replace(b"\r\n", b"")


@pytest.mark.parametrize("make", NOT_SIMPLE.values(), ids=NOT_SIMPLE.keys())
def test_any_other_message_is_left_to_django(make):
    assert wire._fast_bytes(make()) is None
    written = wire.message_bytes(make())
    assert shape(parsed(written)) == shape(
        parsed(make().message(policy=email.policy.SMTP).as_bytes())
    )


def test_a_subject_with_a_line_break_is_refused_as_django_refuses_it():
    with pytest.raises(ValueError, match="linefeed|newline"):
        wire.message_bytes(alternative(subject="Hi\nBcc: everyone@example.com"))
    with pytest.raises(ValueError, match="linefeed|newline"):
        wire.message_bytes(alternative(headers={"X-Note": "a\r\nBcc: x@example.com"}))
    # any other control character: not written by hand, the email package decides
    for odd in ("a\x0bb", "a\x00b", "a\x1cb"):
        assert wire._fast_bytes(alternative(subject=odd)) is None
        assert wire._fast_bytes(alternative(headers={"X-Note": odd})) is None
