"""The development mailbox: every email printed to the console and kept as a file that
superusers read at /dev/mailbox/, so a new user sees the rhythm working without SMTP."""

import sys
import uuid
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

MAILBOX_BACKEND = "core.mail.DevMailboxBackend"


def mailbox_folder() -> Path:
    return Path(settings.DEV_MAILBOX_DIR)


class DevMailboxBackend(BaseEmailBackend):
    def __init__(self, *args, folder: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(folder) if folder else mailbox_folder()

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            raw = message.message().as_bytes()
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            (self.folder / name).write_bytes(raw)
            sys.stdout.write(
                f"\n--- email to {', '.join(message.recipients())}: {message.subject}\n"
                f"{message.body}\n"
            )
            sent += 1
        sys.stdout.flush()
        return sent


def _sent_at(header: str | None) -> datetime | str:
    """The Date header as an aware datetime, shown in the app's time zone."""
    try:
        return parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return header or ""


def read_mailbox(limit: int = 50) -> list[dict]:
    """The newest messages in the development mailbox, parsed."""
    folder = mailbox_folder()
    if not folder.is_dir():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        text = parsed.get_body(preferencelist=("plain",))
        messages.append(
            {
                "id": path.stem,
                "subject": parsed["Subject"],
                "to": parsed["To"],
                "date": _sent_at(parsed["Date"]),
                "unsubscribe": parsed["List-Unsubscribe"],
                "text": text.get_content() if text else "",
            }
        )
    return messages
