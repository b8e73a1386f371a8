"""What every part of `make bench` shares: where things are, the environment the bench
process and gunicorn run under (set here, before Django starts), the sizes and rates."""

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    # The API part measures the write, not the rate limit (tests/api/test_rate_limits.py).
    "API_RATE_LIMIT_PER_MINUTE": "10000000",
}
if not os.environ.get("DATABASE_URL"):
    BENCH_ENV["DATABASE_URL"] = f"sqlite:///{SQLITE}"
os.environ.update(BENCH_ENV)


TEAMS = int(os.environ.get("BENCH_TEAMS", "1000"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "12"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
STORM_SECONDS = int(os.environ.get("BENCH_STORM_SECONDS", "30"))
STORM_WARMUP_SECONDS = int(os.environ.get("BENCH_STORM_WARMUP_SECONDS", "20"))
LARGE_TEAMS = int(os.environ.get("BENCH_STORM_LARGE_TEAMS", "10000"))
PARTS = ("isolated", "api", "storm", "storm10k", "reminders", "webhooks")
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
