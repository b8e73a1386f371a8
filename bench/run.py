"""Benchmarks (not tests): `make bench` prints the figures of the pages that matter,
served by gunicorn as in production, and of the reminder fan-out.

It seeds 1,000 teams x 12 weeks (BENCH_TEAMS, BENCH_WEEKS) on the database DATABASE_URL
names, or on var/bench.sqlite3 without it, and EMPTIES that database first: point it at a
throwaway one (its name must contain "bench", or set BENCH_ALLOW_FLUSH=1). Then it serves
the app with gunicorn (DEBUG off, BENCH_WORKERS workers, 3 as in the Dockerfile) and
drives it with locust: each page at full speed (its throughput) and at a fixed rate (its
latency under the target load), BENCH_SECONDS each. The last line is one JSON object.
"""

import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var"
VAR.mkdir(exist_ok=True)
SQLITE = VAR / "bench.sqlite3"

# The same environment for this process (seeding, reminders) and for gunicorn.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_ROOT": str(VAR / "bench-static"),
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "LOG_LEVEL": "ERROR",  # a 409 from two simulated members typing at once is no news
}
if not os.environ.get("DATABASE_URL"):
    BENCH_ENV["DATABASE_URL"] = f"sqlite:///{SQLITE}"
os.environ.update(BENCH_ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.reminders import bench_reminders  # noqa: E402

TEAMS = int(os.environ.get("BENCH_TEAMS", "1000"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "12"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
CHECKIN_TEAMS = 300  # teams whose members autosave their check-in during the bench
# Fixed rates at which the latency targets are checked.
TARGET_RATES = {"home": 10, "team": 50, "kr_update": 50}
VENV_BIN = Path(sys.executable).parent


def prepare_database() -> None:
    settings_db = connection.settings_dict
    name = str(settings_db["NAME"])
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
    elif "bench" not in name and os.environ.get("BENCH_ALLOW_FLUSH") != "1":
        sys.exit(
            f"make bench empties the database it seeds; {name!r} has no 'bench' in its name. "
            "Point DATABASE_URL at a throwaway database or set BENCH_ALLOW_FLUSH=1."
        )
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def seed() -> dict:
    """The scale company, and what the load needs: sessions, team pages, key results."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from checkins.models import CheckIn
    from dashboard.seed import seed_scale
    from okrs.models import Objective
    from okrs.weeks import iso_week_label, week_start
    from teams.models import Membership

    started = time.perf_counter()
    company = seed_scale(teams=TEAMS, weeks=WEEKS)
    seconds = time.perf_counter() - started
    call_command("collectstatic", interactive=False, verbosity=0)

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    member = Membership.objects.filter(team=company.teams[0], role="member").first().user
    # The key-result update is the check-in's htmx autosave of a new value, by a member
    # of the team, in this week's check-in (still open: the seed's is removed).
    this_week = week_start(timezone.localdate())
    CheckIn.objects.filter(week_start=this_week).delete()
    writers = []
    committed = Objective.objects.filter(
        cycle=company.cycle, level=Objective.Level.TEAM, state=Objective.State.COMMITTED
    ).select_related("team")[:CHECKIN_TEAMS]
    for objective in committed:
        writer = Membership.objects.filter(team=objective.team, role="member").first().user
        for kr in objective.key_results.values_list("pk", flat=True):
            writers.append([session_for(writer), objective.team.slug, kr])
    plan = {
        "member_session": session_for(member),
        "csrf": secrets.token_hex(16),
        "team_slugs": [t.slug for t in company.teams],
        "week": iso_week_label(this_week),
        "writers": writers,
    }
    print(
        f"Seeded {TEAMS} teams x {WEEKS} weeks on {connection.vendor} in {seconds:.1f} s",
        flush=True,
    )
    return plan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The app as production serves it, and the peak memory of its workers."""

    def __init__(self) -> None:
        self.port = free_port()
        self.peak_rss = 0
        self._stop = threading.Event()

    def __enter__(self) -> "Gunicorn":
        import psutil

        self.process = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
            ],
            cwd=ROOT,
            env={**os.environ, **BENCH_ENV},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/bench/ok", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        master = psutil.Process(self.process.pid)

        def watch() -> None:
            while not self._stop.is_set():
                for child in master.children():
                    with contextlib.suppress(psutil.Error):
                        self.peak_rss = max(self.peak_rss, child.memory_info().rss)
                time.sleep(0.2)

        self._watcher = threading.Thread(target=watch, daemon=True)
        self._watcher.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def queries(server: Gunicorn, path: str, session: str) -> int:
    """The SQL queries behind one page, once each worker has warmed up (its first home
    page computes the team rows it then keeps)."""
    counts = []
    for _ in range(WORKERS * 6):
        request = urllib.request.Request(  # noqa: S310
            f"{server.url}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            counts.append(int(response.headers["X-Bench-Queries"]))
    return min(counts)


def first_views(server: Gunicorn, plan: dict) -> dict:
    """Every team page once, one after the other, as a member of another team: what the
    first reader after a change waits for (the page is built, then cached for the next).
    """
    latencies, counts = [], []
    for slug in plan["team_slugs"][1:]:  # the first is the member's own team
        request = urllib.request.Request(  # noqa: S310
            f"{server.url}/teams/{slug}/", headers={"Cookie": f"sessionid={plan['member_session']}"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            counts.append(int(response.headers["X-Bench-Queries"]))
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95)],
        "queries": max(set(counts), key=counts.count),
    }


def locust(server: Gunicorn, plan: dict, target: str, *, rate: float = 0) -> dict:
    """One locust run; requests per second and latency percentiles in ms."""
    users = max(4, int(rate // 5)) if rate else 16
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/run"
        subprocess.run(  # noqa: S603
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                server.url,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{SECONDS}s",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "BENCH_TARGET": target,
                "BENCH_PLAN": json.dumps(plan),
                "BENCH_USERS": str(users),
                "BENCH_RATE": str(rate),
            },
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv") as stats:
            row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    figures = {
        "rps": float(row["Requests/s"]),
        "failures": int(row["Failure Count"]),
        "requests": int(row["Request Count"]),
    }
    for p in ("50", "95", "99"):
        value = row[f"{p}%"]
        figures[f"p{p}"] = float(value) if value not in ("", "N/A") else float("nan")
    return figures


def _line(name: str, f: dict, extra: str = "") -> None:
    print(
        f"{name:<34} {f['rps']:8.1f} req/s  p50 {f['p50']:6.0f} ms  p95 {f['p95']:6.0f} ms"
        f"  p99 {f['p99']:6.0f} ms  failures {f['failures']}/{f['requests']}{extra}",
        flush=True,
    )


def bench_http(plan: dict) -> dict:
    results = {}
    with Gunicorn() as server:
        page_queries = {
            "home": queries(server, "/", plan["member_session"]),
            # another team's page (as the load reads them), and the member's own team's,
            # which is built for them with its forms
            "team": queries(server, f"/teams/{plan['team_slugs'][1]}/", plan["member_session"]),
            "own_team": queries(server, f"/teams/{plan['team_slugs'][0]}/", plan["member_session"]),
        }
        print(
            f"\ngunicorn, {WORKERS} sync workers, DEBUG off, cache "
            f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
            f"locust for {SECONDS} s a run\n",
            flush=True,
        )
        trivial = locust(server, plan, "trivial")
        _line("trivial view (the ceiling)", trivial)
        results["trivial"] = trivial
        for target in ("home", "team", "kr_update"):
            if target == "team":
                cold = first_views(server, plan)
                print(
                    f"{'team, first view after a change':<34}    one at a time  p50 "
                    f"{cold['p50']:6.0f} ms  p95 {cold['p95']:6.0f} ms  "
                    f"({len(plan['team_slugs']) - 1} pages, {cold['queries']} queries each)",
                    flush=True,
                )
            full = locust(server, plan, target)
            ratio = full["rps"] / trivial["rps"]
            _line(f"{target}, full speed", full, f"  ratio {ratio:5.1%}")
            at_rate = locust(server, plan, target, rate=TARGET_RATES[target])
            _line(f"{target}, at {TARGET_RATES[target]} req/s", at_rate)
            results[target] = full
            results[f"{target}_at_rate"] = at_rate
            if target == "team":
                own = locust(server, plan, "own_team")
                ratio = own["rps"] / trivial["rps"]
                _line("own team's page, full speed", own, f"  ratio {ratio:5.1%}")
                results["own_team"] = own
        peak = server.peak_rss / 2**20
    print(
        f"\nSQL queries: home {page_queries['home']}, team page {page_queries['team']} "
        f"(first view {cold['queries']}, one's own team {page_queries['own_team']})"
        f"  ·  peak memory of one web worker {peak:.0f} MB",
        flush=True,
    )
    return {
        "trivial_rps": round(trivial["rps"], 1),
        "home_rps": round(results["home"]["rps"], 1),
        "home_p95_ms": results["home_at_rate"]["p95"],
        "team_rps": round(results["team"]["rps"], 1),
        "team_p95_ms": results["team_at_rate"]["p95"],
        "kr_update_rps": round(results["kr_update"]["rps"], 1),
        "kr_update_p95_ms": results["kr_update_at_rate"]["p95"],
        "team_ratio": round(results["team"]["rps"] / trivial["rps"], 3),
        "home_ratio": round(results["home"]["rps"] / trivial["rps"], 3),
        "kr_update_ratio": round(results["kr_update"]["rps"] / trivial["rps"], 3),
        "home_queries": page_queries["home"],
        "team_queries": page_queries["team"],
        "team_first_view_p50_ms": round(cold["p50"], 1),
        "team_first_view_p95_ms": round(cold["p95"], 1),
        "team_first_view_queries": cold["queries"],
        "own_team_queries": page_queries["own_team"],
        "own_team_rps": round(results["own_team"]["rps"], 1),
        "own_team_p95_ms": results["own_team"]["p95"],
        "worker_peak_rss_mb": round(peak, 1),
        "failures": sum(r["failures"] for r in results.values()),
    }


def main() -> None:
    prepare_database()
    print(f"Lean OKRs benchmarks on {connection.vendor} ({os.cpu_count()} CPUs)", flush=True)
    plan = seed()
    figures = bench_http(plan)
    # The reminder fan-out on an empty database: only its own due teams.
    call_command("flush", interactive=False, verbosity=0)
    print("", flush=True)
    figures.update(bench_reminders())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
