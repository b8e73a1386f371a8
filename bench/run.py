"""Benchmarks (not tests): `make bench` prints the figures of the pages that matter,
served by gunicorn as in production, and of the reminder fan-out.

It seeds 1,000 teams x 12 weeks (BENCH_TEAMS, BENCH_WEEKS) on the database DATABASE_URL
names, or on var/bench.sqlite3 without it, and EMPTIES that database first: point it at a
throwaway one (its name must contain "bench", or set BENCH_ALLOW_FLUSH=1; a PostgreSQL
database that does not exist yet is created). It also empties the cache CACHE_URL names
(give the bench a Redis database of its own). Then it serves the app with gunicorn as
production does (DEBUG off, `gunicorn.conf.py` at the project root: its workers, worker
class and threads, which WEB_CONCURRENCY, GUNICORN_WORKER_CLASS and GUNICORN_THREADS
override; BENCH_WORKERS is WEB_CONCURRENCY) and drives it with locust, in parts:

- isolated: each page alone, at full speed (its throughput) and at a fixed rate (its
  latency under the target load), BENCH_SECONDS (15) each;
- storm: the check-in morning, every kind at once at its own rate (STORM_RATES: home
  page 10/s as leaders, members' own team pages 20/s, check-in autosaves 30/s, check-in
  page loads 5/s, by members of CHECKIN_TEAMS teams) for BENCH_STORM_SECONDS (30); and
  before it, one home page request right after an autosave, one at a time, COLD_SAMPLES
  times (the median is home_cold_ms_*);
- storm10k: the database emptied and seeded again with BENCH_STORM_LARGE_TEAMS teams
  (10,000; 0 skips it), timed, then the storm and the cold home page again, and the
  peak memory of one worker;
- reminders: the reminder fan-out against plain smtplib (bench/reminders.py).

After each seed PostgreSQL gets a VACUUM (ANALYZE), as autovacuum would give a database
in use. Each storm also reports the web workers' CPU per request (storm_cpu_ms_per_request),
a figure that other load on the machine barely moves; gunicorn's access log, with each
request's time, goes to var/bench-gunicorn.log.

BENCH_ONLY=storm,storm10k (a comma-separated list of those parts) runs only some, for
iteration; by default all run (about 6 minutes on the 2-core development machine). The
last line is one JSON object.
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
import urllib.error
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
STORM_SECONDS = int(os.environ.get("BENCH_STORM_SECONDS", "30"))
LARGE_TEAMS = int(os.environ.get("BENCH_STORM_LARGE_TEAMS", "10000"))
PARTS = ("isolated", "storm", "storm10k", "reminders")
ONLY = {p.strip() for p in os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",") if p.strip()}
if ONLY - set(PARTS):
    sys.exit(f"BENCH_ONLY: unknown parts {sorted(ONLY - set(PARTS))}; known: {', '.join(PARTS)}")
if os.environ.get("BENCH_WORKERS"):
    os.environ["WEB_CONCURRENCY"] = os.environ["BENCH_WORKERS"]
CHECKIN_TEAMS = 300  # teams whose members autosave their check-in during the bench
COLD_SAMPLES = 20  # home page requests right after a write, one at a time
# Fixed rates at which the latency targets are checked.
TARGET_RATES = {"home": 10, "team": 50, "kr_update": 50}
# The check-in morning: requests per second of each kind, all at once (one simulated
# user per request per second, so a slow answer does not lower the rate asked for).
STORM_RATES = {"home": 10, "team": 20, "autosave": 30, "checkin": 5}
STORM_CLASSES = {"home": "StormHome", "team": "StormTeam", "autosave": "StormAutosave"}
STORM_CLASSES["checkin"] = "StormCheckin"
VENV_BIN = Path(sys.executable).parent


def server_config() -> dict:
    """What gunicorn.conf.py says under this environment (gunicorn reads the same)."""
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {key: config.get(key) for key in ("workers", "worker_class", "threads")}


SERVER = server_config()


def create_postgresql_database(settings_db: dict) -> None:
    """CREATE DATABASE when it does not exist, connected to the server's `postgres`."""
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "host": settings_db.get("HOST") or None,
        "port": settings_db.get("PORT") or None,
        "user": settings_db.get("USER") or None,
        "password": settings_db.get("PASSWORD") or None,
    }
    name = str(settings_db["NAME"])
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as server:
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}", flush=True)


def prepare_database() -> None:
    from django.core.cache import cache

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
    else:
        create_postgresql_database(settings_db)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    # Pages cached by an earlier run (or company) must not answer for this one's rows.
    cache.clear()


def seed(teams: int = TEAMS) -> dict:
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
    company = seed_scale(teams=teams, weeks=WEEKS)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does to a database in use: the planner's statistics of the new
        # rows, and the team rows' old versions left by the seed's triggers cleared.
        # Without it the first minutes after a seed run on bad plans.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"VACUUM (ANALYZE) after the seed: {time.perf_counter() - started:.1f} s", flush=True)
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
    writers, cold_writers = [], []
    committed = (
        Objective.objects.filter(
            cycle=company.cycle, level=Objective.Level.TEAM, state=Objective.State.COMMITTED
        )
        .select_related("team")
        .order_by("pk")[: CHECKIN_TEAMS + COLD_SAMPLES]
    )
    committed = list(committed)
    # A small company (BENCH_TEAMS under 320) keeps some teams for the cold writes.
    checkin_teams = min(CHECKIN_TEAMS, max(1, len(committed) - COLD_SAMPLES))
    for index, objective in enumerate(committed):
        writer = Membership.objects.filter(team=objective.team, role="member").first().user
        krs = list(objective.key_results.order_by("pk").values_list("pk", flat=True))
        if index < checkin_teams:
            for kr in krs:
                writers.append([session_for(writer), objective.team.slug, kr])
        else:  # teams the load leaves alone: the cold home page's writes
            cold_writers.append([session_for(writer), objective.team.slug, krs[0]])
    plan = {
        "member_session": session_for(member),
        "leader_sessions": [session_for(leader) for leader in company.leaders],
        "csrf": secrets.token_hex(16),
        "team_slugs": [t.slug for t in company.teams],
        "week": iso_week_label(this_week),
        "writers": writers,
        "cold_writers": cold_writers or writers[:1],
        "seed_s": round(seconds, 1),
    }
    print(
        f"Seeded {teams} teams x {WEEKS} weeks on {connection.vendor} in {seconds:.1f} s",
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

        # Everything but the address comes from gunicorn.conf.py (read from the cwd);
        # the access log goes to a file instead of this output, written all the same.
        self.log = open(VAR / "bench-gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "gunicorn"), "config.wsgi:application"],
            cwd=ROOT,
            env={**os.environ, **BENCH_ENV, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/bench/ok", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: see {self.log.name}") from None
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

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the running workers have used so far."""
        import psutil

        total = 0.0
        for child in psutil.Process(self.process.pid).children():
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
        return total

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def queries(server: Gunicorn, path: str, session: str) -> int:
    """The SQL queries behind one page, once each worker has warmed up (its first home
    page computes the team rows it then keeps)."""
    counts = []
    for _ in range(SERVER["workers"] * SERVER["threads"] * 3):
        request = urllib.request.Request(  # noqa: S310
            f"{server.url}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                counts.append(int(response.headers["X-Bench-Queries"]))
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{path} answered {error.code}: see {server.log.name}") from None
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


def describe_server() -> str:
    if SERVER["worker_class"] == "gthread":
        return f"{SERVER['workers']} gthread workers x {SERVER['threads']} threads"
    return f"{SERVER['workers']} {SERVER['worker_class']} workers"


def _figures(row: dict) -> dict:
    figures = {
        "rps": float(row["Requests/s"]),
        "failures": int(row["Failure Count"]),
        "requests": int(row["Request Count"]),
    }
    for p in ("50", "95", "99"):
        value = row[f"{p}%"]
        figures[f"p{p}"] = float(value) if value not in ("", "N/A") else float("nan")
    return figures


def locust(
    server: Gunicorn,
    plan: dict,
    target: str,
    *,
    rate: float = 0,
    storm: dict[str, float] | None = None,
    seconds: int = SECONDS,
) -> dict:
    """One locust run; requests per second and latency percentiles in ms (of all its
    requests; with `storm`, also of each kind under its name)."""
    users = max(4, int(rate // 5)) if rate else 16
    classes, extra = ["BenchUser"], {}
    if storm:
        # One simulated user per request per second of each kind, all at once.
        per_kind = {
            kind: [kind_rate, max(1, round(kind_rate))] for kind, kind_rate in storm.items()
        }
        users = sum(n for _, n in per_kind.values())
        classes = [STORM_CLASSES[kind] for kind in storm]
        extra = {"BENCH_STORM": json.dumps(per_kind)}
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/run"
        # A file, not the environment: one variable holds at most 128 KiB, less than the
        # team names of 10,000 teams.
        Path(f"{folder}/plan.json").write_text(json.dumps(plan))
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
                f"{seconds}s",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
                *classes,
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "BENCH_TARGET": target,
                "BENCH_PLAN_FILE": f"{folder}/plan.json",
                "BENCH_USERS": str(users),
                "BENCH_RATE": str(rate),
                **extra,
            },
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv") as stats:
            rows = {r["Name"]: r for r in csv.DictReader(stats)}
    figures = _figures(rows["Aggregated"])
    if storm:
        empty = {
            "Requests/s": 0,
            "Failure Count": 0,
            "Request Count": 0,
            "50%": "",
            "95%": "",
            "99%": "",
        }
        figures["kinds"] = {kind: _figures(rows.get(kind, empty)) for kind in storm}
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
            f"\ngunicorn, {describe_server()}, DEBUG off, cache "
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


def autosave_once(server: Gunicorn, plan: dict, writer: list, stored: dict) -> None:
    """One check-in autosave, as the page sends it (a 409 is answered once more with the
    stored text as the base, as the page does)."""
    import re
    import urllib.parse

    session, slug, kr = writer
    field = f"entry-{kr}-value"
    for _ in range(2):
        value = str(secrets.randbelow(50) + 10)
        body = urllib.parse.urlencode(
            {"field": field, field: value, f"{field}__base": stored.get(kr, "")}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            f"{server.url}/teams/{slug}/checkins/{plan['week']}/save/",
            data=body,
            headers={
                "Cookie": f"sessionid={session}; csrftoken={plan['csrf']}",
                "HX-Request": "true",
                "X-CSRFToken": plan["csrf"],
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                text = response.read().decode()
                match = re.search(r'__base" value="([^"]*)"', text)
                stored[kr] = match.group(1) if match else value
                return
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
            match = re.search(r'name="stored" value="([^"]*)"', error.read().decode())
            stored[kr] = match.group(1) if match else ""
    raise RuntimeError(f"the autosave of key result {kr} conflicted twice")


def home_cold(server: Gunicorn, plan: dict) -> dict:
    """The home page right after a write: an autosave by a member of a team the load
    leaves alone, then one home page request as a leader, timed, one at a time."""
    stored: dict = {}
    latencies = []
    headers = {"Cookie": f"sessionid={plan['leader_sessions'][0]}"}
    for index in range(COLD_SAMPLES):
        autosave_once(server, plan, plan["cold_writers"][index % len(plan["cold_writers"])], stored)
        request = urllib.request.Request(f"{server.url}/", headers=headers)  # noqa: S310
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            response.read()
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
    }


def warm_up(server: Gunicorn, plan: dict) -> None:
    """Every worker thread past its first requests (imports, templates, connections)."""
    queries(server, "/", plan["leader_sessions"][0])
    session, slug, _ = plan["writers"][0]
    queries(server, f"/teams/{slug}/", session)


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def storm(plan: dict, label: str) -> tuple[dict, dict, float]:
    """The check-in morning: the cold home page first, then every kind at once at its
    rate, against one fresh server. Returns the storm's figures, the cold home page's
    and the peak memory of one worker in MB."""
    with Gunicorn() as server:
        warm_up(server, plan)
        cold = home_cold(server, plan)
        print(
            f"\n{label}: gunicorn {describe_server()}  ({_load()})\n"
            f"{'home right after a write':<34}    one at a time  p50 {cold['p50']:6.0f} ms"
            f"  p95 {cold['p95']:6.0f} ms  ({COLD_SAMPLES} writes, each followed by one home page)",
            flush=True,
        )
        cpu = server.cpu_seconds()
        figures = locust(server, plan, "storm", storm=STORM_RATES, seconds=STORM_SECONDS)
        # What the web workers spent per request, whatever else shares the machine.
        figures["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, figures["requests"])
        peak = server.peak_rss / 2**20
    for kind, rate in STORM_RATES.items():
        _line(f"storm: {kind}, asked {rate} req/s", figures["kinds"][kind])
    _line(f"storm: all, asked {sum(STORM_RATES.values())} req/s", figures)
    print(
        f"web workers' CPU {figures['cpu_ms']:.0f} ms a request  ·  peak memory of one web "
        f"worker {peak:.0f} MB  ({_load()})",
        flush=True,
    )
    return figures, cold, peak


def storm_keys(prefix: str, figures: dict) -> dict:
    keys = {f"{prefix}_{kind}_p95_ms": figures["kinds"][kind]["p95"] for kind in STORM_RATES}
    keys[f"{prefix}_rps"] = round(figures["rps"], 1)
    keys[f"{prefix}_failures"] = figures["failures"]
    keys[f"{prefix}_cpu_ms_per_request"] = round(figures["cpu_ms"], 1)
    return keys


def main() -> None:
    prepare_database()
    print(
        f"Lean OKRs benchmarks on {connection.vendor} ({os.cpu_count()} CPUs): "
        f"{', '.join(p for p in PARTS if p in ONLY)}  ({_load()})",
        flush=True,
    )
    figures: dict = {}
    if ONLY & {"isolated", "storm"}:
        plan = seed()
        figures["seed_s"] = plan["seed_s"]
        if "isolated" in ONLY:
            figures.update(bench_http(plan))
        if "storm" in ONLY:
            result, cold, _ = storm(plan, f"The check-in morning at {TEAMS} teams")
            figures.update(storm_keys("storm", result))
            figures["home_cold_ms_1k"] = round(cold["p50"], 1)
    if "storm10k" in ONLY and LARGE_TEAMS:
        print(f"\nSeeding again: {LARGE_TEAMS} teams x {WEEKS} weeks  ({_load()})", flush=True)
        prepare_database()
        plan = seed(LARGE_TEAMS)
        figures["seed_10k_s"] = plan["seed_s"]
        result, cold, peak = storm(plan, f"The check-in morning at {LARGE_TEAMS} teams")
        keys = storm_keys("storm10k", result)
        figures["storm10k_home_p95_ms"] = keys.pop("storm10k_home_p95_ms")
        figures.update(keys)
        figures["home_cold_ms_10k"] = round(cold["p50"], 1)
        figures["worker_peak_rss_mb_10k"] = round(peak, 1)
    if "reminders" in ONLY:
        # The reminder fan-out on an empty database: only its own due teams.
        call_command("flush", interactive=False, verbosity=0)
        print("", flush=True)
        figures.update(bench_reminders())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
