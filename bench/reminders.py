"""The reminder fan-out of `make bench`: thousands of reminders through the outbox to a
local SMTP server, against plain smtplib for the same messages."""

import os
import socket
import time


def bench_reminders() -> dict:
    """N teams due at once: tick + sending until the SMTP server accepted every reminder,
    beside plain smtplib sending the same messages over one connection."""
    import email.policy
    import smtplib
    from datetime import UTC, datetime, timedelta

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.test.utils import override_settings

    from bench.data import make_due_teams
    from checkins import reminders
    from config.celery import app as celery_app
    from teams.models import EmailOutbox
    from teams.outbox import outbox_message

    n = int(os.environ.get("BENCH_REMINDER_TEAMS", "10000"))
    due = datetime(2026, 11, 30, 9, tzinfo=UTC)

    class Counter:
        accepted = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.accepted += len(envelope.rcpt_tos)
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        make_due_teams(n, due=due)
        celery_app.conf.task_always_eager = True  # one worker: the sends run in this process
        with override_settings(MAILERS=mailers):
            start = time.perf_counter()
            reminders.dispatch_reminders(now=due + timedelta(minutes=1))
            pipeline = time.perf_counter() - start
            # The demo company's own people are due at the same moment, so count rows.
            assert handler.accepted == EmailOutbox.objects.count() >= n
            rows = list(
                EmailOutbox.objects.select_related("recipient", "team").filter(kind="reminder")
            )
            # Rendered beforehand, exactly as Django's SMTP backend serialises them.
            messages = [
                outbox_message(row).message(policy=email.policy.SMTP).as_bytes() for row in rows
            ]
            sender = settings.DEFAULT_FROM_EMAIL
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for message, row in zip(messages, rows, strict=True):
                    smtp.sendmail(sender, [row.recipient.email], message)
            plain = time.perf_counter() - start
    finally:
        controller.stop()
    print(
        f"{'reminders: ' + str(n) + ' teams due at once':<38} tick + one worker {pipeline:7.2f} s"
        f"  plain smtplib, one connection {plain:7.2f} s  ratio {pipeline / plain:5.2f}"
    )
    return {
        "reminders_10k_s" if n == 10_000 else f"reminders_{n}_s": round(pipeline, 2),
        "smtplib_10k_s" if n == 10_000 else f"smtplib_{n}_s": round(plain, 2),
        "reminders_ratio": round(pipeline / plain, 2),
    }


def main() -> None:
    """The reminder fan-out alone: `python bench/reminders.py` (or with
    BENCH_ONLY_REMINDERS=1 in the environment). It EMPTIES the database DATABASE_URL
    names (whose name must contain "bench"), or uses var/bench-reminders.sqlite3."""
    import json
    import secrets
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    sqlite = root / "var" / "bench-reminders.sqlite3"
    sqlite.parent.mkdir(exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CELERY_TASK_ALWAYS_EAGER="true",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if "bench" not in str(connection.settings_dict["NAME"]):
        sys.exit("bench/reminders.py empties its database: name one with 'bench' in it.")
    if str(connection.settings_dict["NAME"]) == str(sqlite):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    print(f"The reminder fan-out on {connection.vendor}", flush=True)
    print(json.dumps(bench_reminders()))


if __name__ == "__main__":
    main()
