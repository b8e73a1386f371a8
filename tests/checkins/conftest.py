"""A real SMTP server (aiosmtpd on localhost) and a company with many teams due."""

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from bench.data import DUE, make_due_teams

__all__ = ["DUE", "make_due_teams"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CountingHandler:
    """Accepts every message (but for addresses in `refuse`) and remembers who got what;
    can be slowed down."""

    delay: float = 0.0
    received: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

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
