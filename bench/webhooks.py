"""The webhooks' part of `make bench`: 1,000 deliveries to a local receiver, from the
events' transaction to the receiver's 2xx, through the outbox as in production (one
worker: the send tasks run in this process, as the reminders' part does)."""

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Receiver.lock:
            _Receiver.received += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def bench_webhooks() -> dict:
    """N events, each written in its own transaction (a cycle closing, to one company
    endpoint that wants it), each sent once it commits; timed until every one is
    delivered and marked."""
    from datetime import timedelta

    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from config.celery import app as celery_app
    from core.events import Event
    from okrs.models import Cycle
    from webhooks.delivery import deliveries_sweep
    from webhooks.models import Delivery, Endpoint
    from webhooks.services import deliveries_for_event
    from webhooks.signing import new_secret

    n = int(os.environ.get("BENCH_WEBHOOKS", "1000"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), _Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        name="Bench", start_date=today - timedelta(days=30), end_date=today, status="closed"
    )
    Endpoint.objects.create(
        url=f"http://127.0.0.1:{port}/hooks", events=[Event.CYCLE_CLOSED], secret=new_secret()
    )
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
            start = time.perf_counter()
            for _ in range(n):
                with transaction.atomic():
                    deliveries_for_event(Event.CYCLE_CLOSED, cycle=cycle)
            deliveries_sweep()  # nothing left for it: every task was taken
            elapsed = time.perf_counter() - start
    finally:
        server.shutdown()
        server.server_close()
    delivered = Delivery.objects.filter(status="delivered").count()
    assert delivered == _Receiver.received == n, (delivered, _Receiver.received)
    print(
        f"{'webhooks: ' + str(n) + ' deliveries':<38} written, signed, sent and marked "
        f"{elapsed:7.2f} s  ({n / elapsed:6.0f} a second, one worker)"
    )
    return {"webhooks_1k_s" if n == 1000 else f"webhooks_{n}_s": round(elapsed, 2)}
