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
- api: the API's key-result write with team tokens (bench/api.py), at full speed and at
  the autosave's target rate (api_write_rps, api_write_p95_ms);
- storm (run first, right after the seed, as storm10k is, so both sizes start from the
  same state): the check-in morning, every kind at once at its own rate (STORM_RATES: home
  page 10/s as leaders, members' own team pages 20/s, check-in autosaves 30/s, check-in
  page loads 5/s, by members of CHECKIN_TEAMS teams) for BENCH_STORM_SECONDS (30), after
  the same mix for BENCH_STORM_WARMUP_SECONDS (20; printed, not counted: the teams' first
  saves of the week and the day's first views of their pages, so that every company
  size is measured minutes into its morning); and before it, one home page request
  right after an autosave, one at a time, COLD_SAMPLES times (the median is
  home_cold_ms_*);
- storm10k: the database emptied and seeded again with BENCH_STORM_LARGE_TEAMS teams
  (10,000; 0 skips it), timed, then the storm and the cold home page again, and the
  peak memory of one worker;
- reminders: the reminder fan-out against plain smtplib (bench/reminders.py);
- webhooks: 1,000 webhook deliveries to a local receiver (bench/webhooks.py).

After each seed PostgreSQL gets a VACUUM (ANALYZE), as autovacuum would give a database
in use. Each storm also reports the web workers' CPU per request (storm_cpu_ms_per_request),
a figure that other load on the machine barely moves; gunicorn's access log, with each
request's time, goes to var/bench-gunicorn.log.

BENCH_ONLY=storm,storm10k (a comma-separated list of those parts) runs only some, for
iteration; by default all run (about 14 minutes on the 2-core development machine). The
last line is one JSON object.
"""

import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from bench.config import (  # noqa: E402
    CHECKIN_TEAMS,
    COLD_SAMPLES,
    LARGE_TEAMS,
    ONLY,
    PARTS,
    SECONDS,
    SQLITE,
    TARGET_RATES,
    TEAMS,
    WEEKS,
)

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.api import bench_api  # noqa: E402
from bench.coach import coach_line  # noqa: E402
from bench.reminders import bench_reminders  # noqa: E402
from bench.server import Gunicorn, _line, describe_server, first_views, locust, queries  # noqa: E402
from bench.storm import _load, storm, storm_keys  # noqa: E402
from bench.webhooks import bench_webhooks  # noqa: E402


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


def main() -> None:
    prepare_database()
    print(
        f"Lean OKRs benchmarks on {connection.vendor} ({os.cpu_count()} CPUs): "
        f"{', '.join(p for p in PARTS if p in ONLY)}  ({_load()})",
        flush=True,
    )
    figures: dict = {}
    if ONLY & {"isolated", "api", "storm"}:
        plan = seed()
        figures["seed_s"] = plan["seed_s"]
        # The storm first, right after the seed as at 10,000 teams: both sizes are
        # measured from the same state, so their ratio shows the growth alone.
        if "storm" in ONLY:
            result, cold, _ = storm(plan, f"The check-in morning at {TEAMS} teams")
            figures.update(storm_keys("storm", result))
            figures["home_cold_ms_1k"] = round(cold["p50"], 1)
        if "isolated" in ONLY:
            figures.update(bench_http(plan))
        if "api" in ONLY:
            figures.update(bench_api(plan))
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
    # The OKR coach's rules on one objective with five key results (bench/coach.py).
    line, coach = coach_line()
    print(f"\n{line}", flush=True)
    figures.update(coach)
    if "reminders" in ONLY:
        # The reminder fan-out on an empty database: only its own due teams.
        call_command("flush", interactive=False, verbosity=0)
        print("", flush=True)
        figures.update(bench_reminders())
    if "webhooks" in ONLY:
        call_command("flush", interactive=False, verbosity=0)
        print("", flush=True)
        figures.update(bench_webhooks())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
