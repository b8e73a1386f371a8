"""The API's key-result write (`BENCH_ONLY=api`): a cron job's POST of a new value with a
team token, at full speed and at the page autosave's target rate (50 req/s, p95 ≤ 100 ms:
the same target as `kr_update`). Measured as bench/run.py measures the autosave: the
same seed, the same gunicorn, the same locust, the same teams' key results."""

from datetime import timedelta

from bench.config import TARGET_RATES
from bench.server import Gunicorn, _line, locust

TOKEN_TEAMS = 50  # teams whose nightly job pushes values, each with its own team token


def api_plan(plan: dict) -> dict:
    """A team token per team (made by its lead, as on the team page) for the first
    TOKEN_TEAMS teams of the autosave's writers, and their key results."""
    from django.utils import timezone

    from api.services import token_create
    from teams.models import Membership, Team

    by_slug: dict[str, list[int]] = {}
    for _, slug, kr in plan["writers"]:
        by_slug.setdefault(slug, []).append(kr)
    pushers = []
    expires = timezone.localdate() + timedelta(days=30)
    for slug in list(by_slug)[:TOKEN_TEAMS]:
        team = Team.objects.get(slug=slug)
        lead = Membership.objects.filter(team=team, role=Membership.Role.LEAD).first()
        user = lead.user if lead else Membership.objects.filter(team=team).first().user
        if lead is None:
            Membership.objects.filter(team=team, user=user).update(role=Membership.Role.LEAD)
        secret = token_create(
            user=user, name="bench", scope="write", expires_on=expires, team=team
        ).secret
        pushers += [[secret, kr] for kr in by_slug[slug]]
    return {**plan, "api_writers": pushers}


def bench_api(plan: dict) -> dict:
    plan = api_plan(plan)
    rate = TARGET_RATES["kr_update"]
    with Gunicorn() as server:
        print(f"\nThe API's key-result write ({len(plan['api_writers'])} key results)", flush=True)
        # The ceiling of this stack on this machine now, as the isolated part measures it:
        # on a busy machine the ratio says more than the figures.
        trivial = locust(server, plan, "trivial")
        _line("trivial view (the ceiling)", trivial)
        full = locust(server, plan, "api_write")
        _line("API value write, full speed", full, f"  ratio {full['rps'] / trivial['rps']:5.1%}")
        at_rate = locust(server, plan, "api_write", rate=rate)
        _line(f"API value write, at {rate} req/s", at_rate)
    verdict = "holds" if at_rate["p95"] <= 100 else "MISSED"
    print(f"target p95 ≤ 100 ms at {rate} req/s (as the autosave): {verdict}", flush=True)
    return {
        "api_write_rps": round(full["rps"], 1),
        "api_write_p95_ms": at_rate["p95"],
        "api_write_ratio": round(full["rps"] / trivial["rps"], 3),
        "api_write_failures": full["failures"] + at_rate["failures"],
    }
