"""The check-in morning: every kind of request at once, and the home page right after
a write."""

import os
import re
import resource
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.config import COLD_SAMPLES, STORM_RATES, STORM_SECONDS, STORM_WARMUP_SECONDS
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
        if STORM_WARMUP_SECONDS:
            # The morning under way, the same for every company size: the teams' first
            # saves of the week and the first views of their pages today (each built
            # once a day) are behind, as they are minutes into a real morning.
            early = locust(server, plan, "storm", storm=STORM_RATES, seconds=STORM_WARMUP_SECONDS)
            _line(f"the first {STORM_WARMUP_SECONDS} s (not counted)", early)
        cpu, where, log_from = server.cpu_seconds(), CpuShares(), server.log.tell()
        figures = locust(server, plan, "storm", storm=STORM_RATES, seconds=STORM_SECONDS)
        # What the web workers spent per request, whatever else shares the machine.
        figures["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, figures["requests"])
        shares = where.done(figures["requests"], figures["cpu_ms"])
        peak = server.peak_rss / 2**20
        server.log.flush()
        inside = inside_the_server(Path(server.log.name), log_from)
    for kind, rate in STORM_RATES.items():
        _line(f"storm: {kind}, asked {rate} req/s", figures["kinds"][kind])
    _line(f"storm: all, asked {sum(STORM_RATES.values())} req/s", figures)
    print(
        f"web workers' CPU {figures['cpu_ms']:.0f} ms a request  ·  peak memory of one web "
        f"worker {peak:.0f} MB  ({_load()})\n{shares}\n{inside}",
        flush=True,
    )
    return figures, cold, peak


ACCESS_LINE = re.compile(r'"(GET|POST) (\S+) [^"]*" (\d+) .* (\d+)ms cpu=([\d.]+) db=([\d.]+)$')


def _kind(method: str, path: str) -> str:
    if path == "/":
        return "home"
    if method == "POST":
        return "autosave"
    return "checkin" if "/checkins/" in path else "team"


def inside_the_server(log: Path, offset: int) -> str:
    """Each kind's time inside gunicorn (from its access log, the lines the storm wrote):
    the whole, the thread's CPU, the database's answers, and the rest (waiting for the
    GIL, the cache, locks). What locust saw beyond the whole waited for a free thread."""
    times: dict[str, list[tuple[float, float, float]]] = {}
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            match = ACCESS_LINE.search(line.decode(errors="replace").rstrip())
            if match:
                method, path, _, whole, cpu, db = match.groups()
                kind = _kind(method, path.split("?")[0])
                times.setdefault(kind, []).append((float(whole), float(cpu), float(db)))
    rows = ["inside the server, p50 / p95 ms:   whole       CPU        database   the rest"]
    for kind, samples in sorted(times.items()):
        columns = []
        for values in zip(*samples, strict=True):
            ordered = sorted(values)
            columns.append((ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]))
        rest = sorted(whole - cpu - db for whole, cpu, db in samples)
        columns.append((rest[len(rest) // 2], rest[int(len(rest) * 0.95)]))
        cells = "".join(f"{p50:5.0f} /{p95:5.0f}  " for p50, p95 in columns)
        rows.append(f"  {kind:<32}{cells}")
    return "\n".join(rows)


class CpuShares:
    """Where the machine's CPU went during a storm, per request: the web workers (given),
    PostgreSQL's processes, the load generator (this process's finished children) and
    the machine as a whole, to tell a saturated machine from requests that wait."""

    def __init__(self):
        import psutil

        self.machine = psutil.cpu_times()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.postgres = self._postgres()
        self.started = time.monotonic()

    @staticmethod
    def _postgres() -> dict[int, float]:
        import psutil

        seen = {}
        for process in psutil.process_iter(["name", "cpu_times"]):
            if process.info["name"] == "postgres" and process.info["cpu_times"]:
                times = process.info["cpu_times"]
                seen[process.pid] = times.user + times.system
        return seen

    def done(self, requests: int, web_ms: float) -> str:
        import psutil

        seconds = time.monotonic() - self.started
        machine = psutil.cpu_times()
        busy = sum(getattr(machine, f) - getattr(self.machine, f) for f in machine._fields)
        idle = (
            (machine.idle - self.machine.idle)
            + getattr(machine, "iowait", 0)
            - getattr(self.machine, "iowait", 0)
        )
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_cpu = (children.ru_utime - self.children.ru_utime) + (
            children.ru_stime - self.children.ru_stime
        )
        now = self._postgres()
        postgres = sum(cpu - self.postgres.get(pid, 0.0) for pid, cpu in now.items())
        per = 1000 / max(1, requests)
        return (
            f"CPU a request: web {web_ms:.1f} ms, PostgreSQL {postgres * per:.1f} ms, load "
            f"generator {load_cpu * per:.1f} ms; machine busy {(busy - idle) / seconds:.2f} of "
            f"{os.cpu_count()} cores over {seconds:.0f} s"
        )


def storm_keys(prefix: str, figures: dict) -> dict:
    keys = {f"{prefix}_{kind}_p95_ms": figures["kinds"][kind]["p95"] for kind in STORM_RATES}
    keys[f"{prefix}_rps"] = round(figures["rps"], 1)
    keys[f"{prefix}_failures"] = figures["failures"]
    keys[f"{prefix}_cpu_ms_per_request"] = round(figures["cpu_ms"], 1)
    return keys
