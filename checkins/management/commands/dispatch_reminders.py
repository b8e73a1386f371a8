"""One reminder tick by hand: the same code Celery beat runs every five minutes."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from checkins.reminders import dispatch_reminders


class Command(BaseCommand):
    help = "Write and enqueue the check-in reminders, nudges and digests that are due."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601, e.g. 2026-11-30T09:05:00+01:00).",
        )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-30T08:05:00+00:00")
            now = now.astimezone(UTC)
        result = dispatch_reminders(now=now)
        self.stdout.write(
            f"{now.isoformat()}: {result.reminders} reminders, {result.nudges} nudges, "
            f"{result.digests} digests written; {result.rescued} claims rescued; "
            f"{result.enqueued} send tasks enqueued."
        )
