"""gunicorn's settings for Lean OKRs: read by itself from the working directory, so the
Dockerfile, docker-compose.yml and `make bench` serve the app the same way.

    gunicorn config.wsgi:application

Every value can be changed from the environment; the defaults are the ones measured
under the check-in morning (`make bench`, README: Performance) on a 2-core machine.

| variable | default | meaning |
| --- | --- | --- |
| `GUNICORN_BIND` | `0.0.0.0:$PORT` (`PORT` 8000) | address(es) to listen on, comma separated |
| `WEB_CONCURRENCY` | 3 | worker processes (about 1-2 per core) |
| `GUNICORN_WORKER_CLASS` | `gthread` | `gthread` or `sync` |
| `GUNICORN_THREADS` | 2 | threads per worker (gthread); keep <= DATABASE_POOL_MAX_SIZE (10) |
| `GUNICORN_TIMEOUT` | 30 | seconds a request may hold a worker before it is restarted |
| `GUNICORN_MAX_REQUESTS` | 10000 | recycle a worker after this many requests (0: never) |
| `GUNICORN_ACCESS_LOG` | `-` (stdout) | where the access log goes; empty: none |
"""

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
bind = [address.strip() for address in bind.split(",") if address.strip()]

# Measured: threads let the cheap requests (autosaves, cached pages) pass a worker busy
# waiting for PostgreSQL or building a page, where sync workers queue them.
workers = _int("WEB_CONCURRENCY", 3)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "gthread"
threads = _int("GUNICORN_THREADS", 2) if worker_class == "gthread" else 1

# A request that holds a worker this long is stuck: the worker is restarted. Slow
# clients are a reverse proxy's business (docs/deploy.md).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, at different moments, so a slow leak cannot grow forever.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# gunicorn's usual line plus how long the request took, in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"

# No control socket (gunicornc): by default every gunicorn of a user shares one path
# ($HOME/.gunicorn/gunicorn.ctl), and the image's home is not writable.
control_socket_disable = True

# The workers' heartbeat in memory, not on a container's overlay disk, which can stall.
if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's advice for containers
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def post_worker_init(worker) -> None:
    """Each thread of a worker may hold one database connection from the worker's pool:
    a pool smaller than the threads makes requests wait for a connection, then fail."""
    from django.conf import settings

    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    size = pool.get("max_size") if isinstance(pool, dict) else None
    if size is not None and size < worker.cfg.threads:
        worker.log.warning(
            "DATABASE_POOL_MAX_SIZE=%s is smaller than the %s threads per worker: "
            "raise it or lower GUNICORN_THREADS",
            size,
            worker.cfg.threads,
        )
