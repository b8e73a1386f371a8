"""The app served by gunicorn as production serves it, and locust driving it."""

import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.config import BENCH_ENV, ROOT, SECONDS, SERVER, STORM_CLASSES, VAR, VENV_BIN


def _access_log_format() -> str:
    import runpy

    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]


ACCESS_LOG_FORMAT = _access_log_format()


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
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                # gunicorn.conf.py's line, then what bench/middleware.py measured.
                "--access-logformat",
                f"{ACCESS_LOG_FORMAT} cpu=%({{x-bench-cpu}}o)s db=%({{x-bench-db}}o)s",
            ],
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
