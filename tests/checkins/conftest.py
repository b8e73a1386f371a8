"""A real SMTP server (aiosmtpd on localhost) and a company with many teams due."""

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest
from aiosmtpd.controller import Controller

from okrs.models import Cycle, KeyResult, Objective
from teams.models import Membership, Team, User

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CountingHandler:
    """Accepts every message and remembers who got what; can be slowed down."""

    delay: float = 0.0
    received: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        subject = email.message_from_bytes(envelope.content).get("Subject", "")
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, subject))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def recipients(self) -> list[str]:
        with self.lock:
            return [rcpt for rcpt, _ in self.received]


class SMTPServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = CountingHandler()
        self.controller = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer().start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def make_due_teams(n: int, *, due: datetime = DUE) -> list[str]:
    """n teams with one member each, a committed objective and a reminder due at `due`.

    Written with bulk inserts: a thousand teams take well under a second."""
    cycle = Cycle.objects.create(
        name="Q4 2026",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        status=Cycle.Status.ACTIVE,
    )
    company = Objective.objects.create(
        cycle=cycle, level="company", title="Company", state="committed"
    )
    company_kr = KeyResult.objects.create(
        objective=company, title="NPS", start_value=0, target_value=10
    )
    teams = Team.objects.bulk_create(
        Team(
            name=f"Team {i:05d}",
            slug=f"team-{i:05d}",
            time_zone="Europe/Amsterdam",
            checkin_weekday=0,
            checkin_time=time(10, 0),
            next_reminder_at=due,
        )
        for i in range(n)
    )
    users = User.objects.bulk_create(
        User(email=f"member{i:05d}@example.com", name=f"Member {i}", password="!") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(team=t, user=u, role="lead") for t, u in zip(teams, users, strict=True)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            cycle=cycle,
            level="team",
            team=t,
            title=f"Objective of {t.name}",
            aligned_to=company_kr,
            state="committed",
        )
        for t in teams
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            objective=o, title="A key result", start_value=0, target_value=10, current_value=3
        )
        for o in objectives
    )
    return [u.email for u in users]
