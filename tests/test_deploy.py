"""The deployment files agree with the settings and with each other.

No Docker engine is needed: docker-compose.yml is parsed and checked by reading, and
`manage.py check --deploy` runs against the production values of `.env.example`.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.helpers import ROOT

SETTINGS = ROOT / "config" / "settings.py"
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"

APP_SERVICES = ("web", "worker", "beat")
BACKING_SERVICES = ("postgres", "redis", "mailpit")

# env.bool("DEBUG", ...), env.db_url("DATABASE_URL", ...), env("NAME"), and the plain
# os.environ / os.getenv forms in case settings ever use them.
_SETTINGS_ENV_RE = re.compile(
    r"""(?:\benv(?:\.\w+)?|\bos\.environ\.get|\bos\.getenv|\bos\.environ)\s*[(\[]\s*["']([A-Z][A-Z0-9_]*)["']"""
)
_ENV_LINE_RE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def settings_env_vars() -> set[str]:
    """What the settings read from the environment (config/settings.py and the
    integrations' settings it imports)."""
    texts = (SETTINGS.read_text(), (SETTINGS.parent / "integrations.py").read_text())
    return {name for text in texts for name in _SETTINGS_ENV_RE.findall(text)}


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as django-environ and docker compose read them (quotes stripped)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE_RE.match(line)
        assert match, f"{path.name}:{number} is not KEY=VALUE: {raw!r}"
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        assert key not in values, f"{path.name} sets {key} twice"
        values[key] = value
    return values


def clean_env(**values: str) -> dict[str, str]:
    """An environment with nothing inherited from this process but PATH.

    pytest-env sets DEBUG and SECRET_KEY for the test run; they must not leak in.
    """
    return {"PATH": os.environ.get("PATH", ""), **values}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# --- docker-compose.yml -----------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else shlex.join(command)


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _healthcheck_test(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def test_compose_uses_the_compose_spec_without_version(compose: dict) -> None:
    assert "version" not in compose


def test_compose_has_the_six_services(services: dict) -> None:
    assert set(services) >= {*BACKING_SERVICES, *APP_SERVICES}


def test_web_worker_and_beat_share_one_image(services: dict) -> None:
    web = services["web"]
    assert web["build"]["context"] == "."
    assert web["image"]
    for name in ("worker", "beat"):
        assert services[name]["build"] == web["build"], name
        assert services[name]["image"] == web["image"], name


def test_web_migrates_then_serves_with_gunicorn(services: dict) -> None:
    command = _command(services["web"])
    assert "python manage.py migrate --noinput" in command
    assert "gunicorn config.wsgi:application" in command
    assert command.index("migrate") < command.index("gunicorn")
    assert "8000:8000" in services["web"]["ports"]


def test_compose_web_takes_its_server_settings_from_gunicorn_conf(services: dict) -> None:
    """gunicorn reads gunicorn.conf.py from the working directory by itself; a flag in
    the command would override it, and production would drift from what was measured."""
    command = services["web"]["command"]
    script = command if isinstance(command, str) else command[-1]  # sh -c "<script>"
    served = script[script.index("exec gunicorn") :]
    # No flag (--workers, --bind, --config, ...) after the app.
    assert shlex.split(served) == ["exec", "gunicorn", "config.wsgi:application"], served
    assert "GUNICORN_CMD_ARGS" not in _environment(services["web"])


def test_worker_and_beat_run_celery_for_config(services: dict) -> None:
    assert shlex.split(_command(services["worker"]))[:4] == ["celery", "-A", "config", "worker"]
    assert shlex.split(_command(services["beat"]))[:4] == ["celery", "-A", "config", "beat"]


def test_healthchecks(services: dict) -> None:
    assert "pg_isready" in _healthcheck_test(services["postgres"])
    assert "redis-cli ping" in _healthcheck_test(services["redis"])
    assert "/mailpit readyz" in _healthcheck_test(services["mailpit"])
    web = _healthcheck_test(services["web"])
    assert "urllib" in web and "http://127.0.0.1:8000/healthz" in web
    # The worker answers Celery's control ping; beat has no control channel, so it has
    # no healthcheck and relies on its restart policy.
    worker = _healthcheck_test(services["worker"])
    assert "celery -A config inspect ping" in worker
    assert "healthcheck" not in services["beat"]


def test_app_services_wait_for_healthy_backing_services(services: dict) -> None:
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        for backing in ("postgres", "redis"):
            assert depends_on[backing]["condition"] == "service_healthy", (name, backing)
    # Migrations run in web; the worker and beat start once they have.
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_app_environment_points_at_the_compose_services(services: dict) -> None:
    for name in APP_SERVICES:
        env = _environment(services[name])
        assert urlsplit(env["DATABASE_URL"]).scheme in ("postgres", "postgresql"), name
        assert urlsplit(env["DATABASE_URL"]).hostname == "postgres", name
        assert urlsplit(env["REDIS_URL"]).hostname == "redis", name
        assert urlsplit(env["EMAIL_URL"]).hostname == "mailpit", name
        assert env["DEBUG"] == "false", name
        # Plain HTTP on localhost: secure-only cookies would make sign-in impossible.
        assert env["SESSION_COOKIE_SECURE"] == "false", name
        assert env["CSRF_COOKIE_SECURE"] == "false", name


def test_compose_requires_a_secret_key_instead_of_shipping_one(services: dict) -> None:
    for name in APP_SERVICES:
        assert _environment(services[name])["SECRET_KEY"].startswith("${SECRET_KEY:?"), name


def test_compose_app_environment_only_sets_known_settings(services: dict) -> None:
    known = settings_env_vars()
    for name in APP_SERVICES:
        unknown = set(_environment(services[name])) - known
        assert not unknown, f"{name} sets variables settings.py does not read: {unknown}"


def test_postgres_keeps_its_data_in_a_named_volume(compose: dict, services: dict) -> None:
    assert "postgres_data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "postgres_data" in compose["volumes"]


# --- Dockerfile ------------------------------------------------------------------------


def test_dockerfile_builds_a_locked_non_root_gunicorn_image() -> None:
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.13-slim\b", dockerfile, re.MULTILINE)
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.MULTILINE)
    assert '"gunicorn", "config.wsgi:application"' in dockerfile


def test_dockerfile_serves_with_gunicorn_conf_from_the_working_directory() -> None:
    dockerfile = DOCKERFILE.read_text()
    cmd = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert cmd and cmd[-1] == '["gunicorn", "config.wsgi:application"]', cmd
    # gunicorn looks for ./gunicorn.conf.py in its working directory: /app, where
    # `COPY . .` puts it (and .dockerignore must not leave it out).
    assert re.search(r"^WORKDIR /app$", dockerfile, re.MULTILINE)
    assert "gunicorn.conf.py" not in DOCKERIGNORE.read_text()


def test_make_bench_serves_with_gunicorn_conf() -> None:
    bench = "".join(path.read_text() for path in (ROOT / "bench").glob("*.py"))
    assert 'str(VENV_BIN / "gunicorn"),\n                "config.wsgi:application",' in bench
    # the access log's line gains what bench/middleware.py measures; nothing else is set
    # beside gunicorn.conf.py
    for option in ("--workers", "--threads", "--worker-class", "-k", "--config", "-c "):
        assert f'"{option}' not in bench, option
    assert '"--access-logformat",' in bench


def _gunicorn_conf(**env: str) -> dict:
    """gunicorn.conf.py as gunicorn reads it, under an environment of its own."""
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py');"
        "print(json.dumps({k: c.get(k) for k in ('bind', 'workers', 'worker_class',"
        " 'threads', 'timeout', 'accesslog', 'max_requests', 'max_requests_jitter')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_gunicorn_conf_defaults_are_the_measured_ones() -> None:
    conf = _gunicorn_conf()
    assert conf["bind"] == ["0.0.0.0:8000"]  # what docker-compose publishes
    assert conf["worker_class"] in ("sync", "gthread")
    assert conf["workers"] >= 2
    assert conf["accesslog"] == "-"  # stdout, where docker logs look
    assert 0 < conf["timeout"] < 120
    assert conf["max_requests"] == 0 or conf["max_requests_jitter"] > 0
    # Every thread of a worker may hold a connection from that worker's pool.
    pool_default = re.search(
        r'env\.int\("DATABASE_POOL_MAX_SIZE", default=(\d+)\)', SETTINGS.read_text()
    )
    assert pool_default and conf["threads"] <= int(pool_default[1])


def test_gunicorn_conf_reads_the_environment() -> None:
    conf = _gunicorn_conf(
        WEB_CONCURRENCY="5",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_THREADS="8",
        GUNICORN_BIND="127.0.0.1:9000",
        GUNICORN_ACCESS_LOG="",
    )
    assert conf["bind"] == ["127.0.0.1:9000"]
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (5, "sync", 1)
    assert conf["accesslog"] is None
    assert _gunicorn_conf(PORT="8080")["bind"] == ["0.0.0.0:8080"]


def test_dockerignore_keeps_env_files_out_of_the_image() -> None:
    ignored = DOCKERIGNORE.read_text().splitlines()
    assert ".env" in ignored
    assert ".git" in ignored


# --- .env.example ------------------------------------------------------------------


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    read_by_settings = settings_env_vars()
    documented = set(parse_env_file(ENV_EXAMPLE))
    assert read_by_settings, "found no env variables in config/settings.py"
    assert read_by_settings - documented == set(), "missing from .env.example"
    assert documented - read_by_settings == set(), "in .env.example but not read by settings"


def test_env_example_explains_every_variable() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for index, line in enumerate(lines):
        match = _ENV_LINE_RE.match(line.strip())
        if not match:
            continue
        above = index - 1
        # Consecutive variables may share one comment (e.g. pool min and max).
        while above >= 0 and _ENV_LINE_RE.match(lines[above].strip()):
            above -= 1
        assert above >= 0 and lines[above].startswith("#"), f"{match[1]} has no comment"


def test_env_example_holds_production_values() -> None:
    values = parse_env_file(ENV_EXAMPLE)
    assert values["DEBUG"] == "false"
    secret_key = values["SECRET_KEY"]
    assert len(secret_key) >= 50
    assert len(set(secret_key)) >= 20
    assert not secret_key.startswith("django-insecure-")
    assert values["SITE_URL"].startswith("https://")
    for flag in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "BEHIND_TLS_PROXY",
    ):
        assert values[flag] == "true", flag
    assert int(values["SECURE_HSTS_SECONDS"]) >= 31536000
    assert urlsplit(values["DATABASE_URL"]).scheme in ("postgres", "postgresql")
    assert urlsplit(values["REDIS_URL"]).scheme == "redis"


# --- The settings under production values ------------------------------------------------


@pytest.mark.slow  # manage.py in a process of its own
def test_check_deploy_is_clean_with_env_example_values(tmp_path: Path) -> None:
    # Every variable settings.py reads is set explicitly (see the test above), and
    # settings never let `.env` override the environment, so a stray `.env` in the
    # project root cannot change this result. SQLite instead of PostgreSQL: the check
    # does not connect, but this way no server is needed at all.
    values = parse_env_file(ENV_EXAMPLE)
    values["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    env = clean_env(**values)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, _output(result)


@pytest.mark.slow  # manage.py in a process of its own
def test_production_refuses_to_start_without_secret_key() -> None:
    # An explicitly empty SECRET_KEY also wins over any `.env` file; settings treat
    # empty as missing.
    env = clean_env(DEBUG="false", SECRET_KEY="")
    result = run_manage("check", env=env)
    assert result.returncode != 0, _output(result)
    assert "SECRET_KEY" in result.stderr, _output(result)


@pytest.mark.slow  # manage.py and an import of the WSGI app in processes of their own
def test_manage_py_works_out_of_the_box_for_developers(tmp_path) -> None:
    """A developer's `python manage.py ...` needs no environment; gunicorn still does."""
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    env.pop("DEBUG", None)
    env.pop("SECRET_KEY", None)
    result = run_manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, _output(result)
    wsgi = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wsgi.returncode != 0 and "SECRET_KEY" in wsgi.stderr
