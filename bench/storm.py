"""The check-in morning: every kind of request at once, and the home page right after
a write."""

import os
import secrets
import time
import urllib.error
import urllib.request

from bench.config import COLD_SAMPLES, STORM_RATES, STORM_SECONDS
from bench.server import Gunicorn, _line, describe_server, locust, queries


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
