"""Benchmarks (not tests): print figures for the pages and services that matter.

Runs against a throwaway SQLite database unless DATABASE_URL is set (then against
that database's test copy). Usage: make bench  [BENCH_REQUESTS=500]
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))


def _figures(name: str, samples: list[float], queries: int | None = None) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    extra = f"  queries/request {queries}" if queries is not None else ""
    print(
        f"{name:<38} n={len(samples):<5} p50 {statistics.median(samples) * 1000:7.2f} ms"
        f"  p95 {p95 * 1000:7.2f} ms  max {max(samples) * 1000:7.2f} ms{extra}"
    )


def bench_home_page() -> None:
    from teams.models import User

    client = Client()
    client.force_login(
        User.objects.get(email="member@example.com"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    client.get("/")  # warm the template cache
    # Count with an execute wrapper: each request resets Django's own query log.
    executed = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)
    ):
        client.get("/")
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get("/")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    _figures("GET / (company OKR, member)", samples, len(executed))


def bench_key_result_update() -> None:
    from okrs import services
    from okrs.models import KeyResult

    key_result = KeyResult.objects.select_related("objective__cycle", "owner").first()
    samples = []
    for i in range(REQUESTS):
        data = services.KeyResultData(
            title=key_result.title,
            kind=key_result.kind,
            start_value=key_result.start_value,
            target_value=key_result.target_value,
            current_value=key_result.start_value + Decimal(i % 7),
            unit=key_result.unit,
            owner=key_result.owner,
        )
        start = time.perf_counter()
        key_result = services.key_result_update(
            key_result=key_result, data=data, expected_version=key_result.version
        )
        samples.append(time.perf_counter() - start)
    _figures("key_result_update (service)", samples)


def bench_reminders() -> dict:
    """N teams due at once: tick + sending until the SMTP server accepted every reminder,
    beside plain smtplib sending the same messages over one connection."""
    import email.policy
    import smtplib
    import socket
    from datetime import UTC, datetime, timedelta

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.test.utils import override_settings

    from bench.data import make_due_teams
    from checkins import emails, reminders
    from checkins.models import EmailOutbox
    from config.celery import app as celery_app

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
                emails.outbox_message(row).message(policy=email.policy.SMTP).as_bytes()
                for row in rows
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
        "reminders_s": round(pipeline, 2),
        "smtplib_s": round(plain, 2),
        "reminders_ratio": round(pipeline / plain, 2),
    }


def main() -> None:
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"Lean OKRs benchmarks on {connection.vendor}, {REQUESTS} runs each\n")
        bench_home_page()
        bench_key_result_update()
        figures = bench_reminders()
        import json

        print(json.dumps(figures))
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
