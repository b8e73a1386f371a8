"""What of a page or an email is still English: its text nodes (and the attributes people
read) that are the same in the English rendering, once names, numbers, user text and a
short list of words that Dutch and German share with English are taken out."""

import re
import zoneinfo
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import models

# Words the same in English, Dutch and German (or names): nothing to translate.
SAME_IN_EVERY_LANGUAGE = frozenset(
    [
        "okr",
        "okrs",
        "lean",
        "check",
        "in",
        "checks",
        "team",
        "teams",
        "review",
        "status",
        "start",
        "csv",
        "json",
        "score",
        "menu",
        "person",
        "name",
        "week",
        "experiment",
        "pilot",
        "live",
        "list",
        "unsubscribe",
        "mailpit",
        "docker",
        "compose",
        "python",
        "manage",
        "py",
        "dispatch_reminders",
        "now",
        "email_url",
        "postgres",
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "w",
        # the integrations' words, the same in Dutch and German software
        "api",
        "token",
        "tokens",
        "webhook",
        "webhooks",
        "slack",
        "microsoft",
        "https",
        "format",  # German's word too
    ]
)
# People's names for their own language, shown in the language switch and choice.
LANGUAGE_NAMES = {name for _, name in settings.LANGUAGES}
# Not prose: scripts, styles, and code shown to be copied (commands, headers, event names).
CODE_TAGS = ("script", "style", "code", "pre")
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-no-answer"}
WORD = re.compile(r"[^\W\d_]{2,}")


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in CODE_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in CODE_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def texts(document: str, *, html: bool = True) -> set[str]:
    """The text nodes of a page (or the lines of a plain-text email), spaces folded."""
    if html:
        parser = _Texts()
        parser.feed(document)
        found = parser.texts
    else:
        found = document.splitlines()
    return {" ".join(text.split()) for text in found if text.strip()}


def user_texts() -> list[str]:
    """Everything people typed or named (every text column of the app's rows) and the
    time zones' names: longest first, so a name is taken out before a word of it."""
    zones = zoneinfo.available_timezones()
    found = zones | {zone.replace("_", " ") for zone in zones} | LANGUAGE_NAMES
    for label in ("teams", "okrs", "checkins", "dashboard", "api", "webhooks"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                    found.update(
                        value
                        for value in model.objects.values_list(field.attname, flat=True)
                        if isinstance(value, str) and value.strip()
                    )
    # A person's first name alone (get_short_name) is a name too.
    found.update(name.split(" ")[0] for name in list(found) if " " in name)
    return sorted(found, key=len, reverse=True)


def english_words(text: str, people_wrote: list[str]) -> list[str]:
    for written in people_wrote:
        if written in text:
            text = text.replace(written, " ")
    text = re.sub(r"https?://\S+|(?<!\S)/[\w./-]+/", " ", text)  # addresses are no words
    text = re.sub(r"\S*[_.]\w+\S*", " ", text)  # nor identifiers (checkin.submitted, msg_1)
    return [w for w in WORD.findall(text) if w.lower() not in SAME_IN_EVERY_LANGUAGE]


def left_in_english(english: set[str], translated: set[str], people_wrote: list[str]) -> set:
    """The translated rendering's texts that are still the English ones."""
    return {text for text in translated & english if english_words(text, people_wrote)}
