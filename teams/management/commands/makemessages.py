"""Django's makemessages, also reading the coach's `N_(...)` marks (okrs/coach/rules.py
marks its texts without importing Django; see docs/translations.md)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
