"""The outbox's builders: each app registers, per kind of email, how a row becomes its
message (`register`, from the app's `AppConfig.ready()`), so `teams` renders the emails
of the apps above it without importing them. `teams.outbox` re-exports these names.

A builder takes the row and returns the message, or None when it is no longer wanted
(the row is then skipped); `many`, if given, does the same for a batch of rows with a
few queries for all of them (a fan-out of reminders renders hundreds at once).
"""

import logging
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from teams.models import EmailOutbox

logger = logging.getLogger("teams.outbox")

Message = EmailMultiAlternatives | None
Builder = Callable[[EmailOutbox], Message]
ManyBuilder = Callable[[Sequence[EmailOutbox]], list[Message]]
_builders: dict[str, Builder] = {}
_many_builders: dict[str, ManyBuilder] = {}


def register(kind: str, builder: Builder, *, many: ManyBuilder | None = None) -> None:
    """`builder(row)` renders the rows of `kind` (called from an app's `ready()`);
    `many(rows)`, if given, renders a batch of them at once, in order."""
    _builders[kind] = builder
    if many is None:
        _many_builders.pop(kind, None)
    else:
        _many_builders[kind] = many


def _builder(row: EmailOutbox) -> Builder:
    builder = _builders.get(row.kind)
    if builder is None:
        raise LookupError(f"No email builder is registered for {row.kind!r}")
    return builder


def _unwanted(row: EmailOutbox) -> bool:
    # Nobody writes to an account that was closed since.
    return row.recipient_id is not None and not row.recipient.is_active


def recipient_language(row: EmailOutbox) -> str:
    """The language an email goes out in: its recipient's own choice, else the company
    default (an address without an account, or a person who never chose one). Never
    the language of whoever caused the email."""
    language = row.recipient.language if row.recipient_id is not None else ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def outbox_message(row: EmailOutbox) -> Message:
    """The message for a row, in its recipient's language, or None when it is no longer
    wanted."""
    builder = _builder(row)
    if _unwanted(row):
        return None
    with translation.override(recipient_language(row)):
        return builder(row)


def outbox_messages(rows: Sequence[EmailOutbox]) -> list[Message | Exception]:
    """The messages of many rows, in order: None for a row no longer wanted, the error
    for one that could not be rendered (the others are not held up by it). Each kind
    that registered a builder for many renders its rows at once."""
    results: dict[int, Message | Exception] = {}
    # Grouped by kind and by the recipients' language: each group renders at once, in
    # its language (a fan-out to a mixed company is a few groups, not one per person).
    by_kind: dict[tuple[str, str], list[EmailOutbox]] = {}
    for row in rows:
        if row.kind not in _builders:
            results[row.pk] = LookupError(f"No email builder is registered for {row.kind!r}")
        elif _unwanted(row):
            results[row.pk] = None
        else:
            by_kind.setdefault((row.kind, recipient_language(row)), []).append(row)
    for (kind, language), group in by_kind.items():
        with translation.override(language):
            _render_group(kind, group, results)
    return [results[row.pk] for row in rows]


def _render_group(kind: str, group: list[EmailOutbox], results: dict) -> None:
    many = _many_builders.get(kind)
    if many is not None:
        try:
            results.update(zip([row.pk for row in group], many(group), strict=True))
            return
        except Exception:
            logger.exception("Rendering %s %s emails at once failed", len(group), kind)
    for row in group:
        try:
            results[row.pk] = _builders[kind](row)
        except Exception as error:
            logger.exception("Rendering %s #%s failed", kind, row.pk)
            results[row.pk] = error


def event_id(row: EmailOutbox) -> int:
    """The id in a row's event key ("comment:17" -> 17), for the builders."""
    return int(row.event.rpartition(":")[2])
