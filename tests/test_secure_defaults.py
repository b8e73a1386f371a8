"""Secure defaults that follow SITE_URL: with DEBUG off and an https:// address the
HTTPS redirect, HSTS and secure cookies are on (each still settable), so `check --deploy`
passes with only SECRET_KEY, ALLOWED_HOSTS and SITE_URL; an http:// address keeps them
off. Each case imports the settings in a process of its own, with nothing inherited."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.test_deploy import _output, clean_env

MINIMAL_PRODUCTION = {
    "SECRET_KEY": "x9!Qm2#vL7@pR4$tZ8^wK1&nB6*yH3(cF5)gJ0-dS_e+aU=oI~lT|iE;rW:uY,qO",
    "ALLOWED_HOSTS": "okrs.example.com",
}
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_CSP",
)


def _settings_in_a_process(tmp_path: Path, **values: str) -> dict:
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        **values,
    )
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {HTTPS_SETTINGS!r}}}, default=str))"
    )
    result = _python("-c", "import django; django.setup(); " + code, env=env)
    assert result.returncode == 0, _output(result)
    return json.loads(result.stdout)


def _python(*args: str, env: dict) -> subprocess.CompletedProcess:
    """This Python in a process of its own, from the project's root, with `env`."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    return _python("-m", "django", "check", "--deploy", "--fail-level", "WARNING", env=env)


@pytest.mark.slow  # django-admin in a process of its own
def test_check_deploy_passes_with_only_secret_key_hosts_and_an_https_site_url() -> None:
    # As production runs the settings (gunicorn, or manage.py with DEBUG=false as the
    # Dockerfile and compose do): DEBUG off by default. manage.py alone would turn DEBUG
    # on for developers, so the check runs through django-admin with the settings module.
    env = clean_env(
        **MINIMAL_PRODUCTION,
        SITE_URL="https://okrs.example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = _check_deploy(env)
    assert result.returncode == 0, _output(result)
    # The same with an http:// address fails the check: the HTTPS settings stay off.
    env["SITE_URL"] = "http://okrs.example.com"
    result = _check_deploy(env)
    assert result.returncode != 0 and "security.W008" in result.stderr, _output(result)


@pytest.mark.slow  # settings imported in a process of its own
def test_an_https_site_url_turns_the_https_settings_on(tmp_path) -> None:
    values = _settings_in_a_process(
        tmp_path, **MINIMAL_PRODUCTION, SITE_URL="https://okrs.example.com"
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://okrs.example.com"]
    # docker compose's health check probes /healthz over plain HTTP
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]


@pytest.mark.slow  # settings imported in a process of its own
def test_an_http_site_url_keeps_the_https_settings_off(tmp_path) -> None:
    values = _settings_in_a_process(
        tmp_path, **MINIMAL_PRODUCTION, SITE_URL="http://localhost:8000"
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not values["SECURE_HSTS_PRELOAD"]
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]


@pytest.mark.slow  # settings imported in a process of its own
def test_each_https_setting_is_still_settable(tmp_path) -> None:
    values = _settings_in_a_process(
        tmp_path,
        **MINIMAL_PRODUCTION,
        SITE_URL="https://okrs.example.com",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        SESSION_COOKIE_SECURE="false",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_PRELOAD"] is False and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is True


@pytest.mark.slow  # settings imported in a process of its own
def test_single_sign_on_lets_forms_go_to_the_provider_for_sign_out(tmp_path) -> None:
    # Signing out posts a form answered with a redirect to the provider's
    # end_session_endpoint: CSP's form-action must allow the issuer's origin, and only then.
    values = _settings_in_a_process(
        tmp_path, **MINIMAL_PRODUCTION, SITE_URL="https://okrs.example.com"
    )
    assert values["SECURE_CSP"]["form-action"] == ["'self'"]
    values = _settings_in_a_process(
        tmp_path,
        **MINIMAL_PRODUCTION,
        SITE_URL="https://okrs.example.com",
        OIDC_ISSUER="https://login.example.com/realms/acme",
        OIDC_CLIENT_ID="lean-okrs",
    )
    assert values["SECURE_CSP"]["form-action"] == ["'self'", "https://login.example.com"]
