"""Requests nobody means to send, and a database that is away: a clear answer, never a
500, and nothing kept where it should not be."""

import os
import subprocess
import sys
import time
from unittest import mock

import pytest
import yaml
from django.conf import settings
from django.db import OperationalError

from okrs.models import Objective
from tests.factories import TeamFactory
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/teams/?q=%00", "/?q=Pay%00", "/?q=%01%1F%7F"])
def test_control_characters_in_a_search_are_ignored_not_a_500(client_for, member, path):
    TeamFactory(name="Payments", slug="payments")
    response = client_for(member).get(path)
    assert response.status_code == 200


def test_a_search_with_a_nul_still_finds_the_team(client_for, member):
    TeamFactory(name="Payments", slug="payments")
    html = client_for(member).get("/teams/?q=Pay%00ments").content.decode()
    assert 'href="/teams/payments/"' in html and "\x00" not in html


def test_a_form_posted_in_utf16_is_refused_with_400_and_changes_nothing(client_for, lead, team):
    client = client_for(lead, enforce_csrf_checks=True)
    response = client.post(
        f"/teams/{team.slug}/objective/new/",
        data="objective-title=Hello&objective-context=",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert response.status_code == 400
    assert response.content.decode() == "Send forms as UTF-8."
    assert not Objective.objects.exists()


def test_a_form_in_utf8_still_reaches_the_csrf_check(client_for, lead, team):
    client = client_for(lead, enforce_csrf_checks=True)
    response = client.post(
        f"/teams/{team.slug}/objective/new/",
        data="objective-title=Hello",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 403  # no CSRF token: refused by the CSRF check


def test_signed_in_pages_are_private_and_not_stored(client_for, member):
    for path in ("/", "/teams/", "/cycles/", "/settings/", "/teams/onboarding/"):
        cache_control = client_for(member).get(path)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, path


def test_a_database_outage_shows_a_503_page_not_a_500(client_for, member):
    client = client_for(member)
    with mock.patch("okrs.selectors.cycle_list", side_effect=OperationalError("down")):
        response = client.get("/cycles/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Lean OKRs is back in a moment" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_request_waits_for_the_database_less_than_the_health_check_allows():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    health_check_timeout = float(probe.split("timeout=")[1].split(")")[0])
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        options = settings.DATABASES["default"]["OPTIONS"]
        # The pool's timeout bounds the whole wait, connection attempts included.
        assert options["connect_timeout"] <= options["pool"]["timeout"] < health_check_timeout


@pytest.mark.slow  # a fresh interpreter against a PostgreSQL that is not there
def test_healthz_says_503_quickly_when_postgresql_is_away():
    code = (
        "import django, time; django.setup();"
        "from django.test import Client; start = time.monotonic();"
        "r = Client().get('/healthz'); print(r.status_code, round(time.monotonic() - start, 1))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "SECRET_KEY": "tests-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",  # nothing listens there
        "LOG_LEVEL": "CRITICAL",
    }
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status, seconds = done.stdout.split()
    assert status == "503"
    assert float(seconds) < 5, (
        f"/healthz took {seconds} s (started {time.monotonic() - started:.1f} s ago)"
    )


def test_under_make_run_a_missing_page_is_the_apps_404_page(settings, client_for, member):
    settings.DEBUG = True  # as `make run` serves it
    response = client_for(member).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "We can't find that page" in body and "DEBUG = True" not in body


def test_a_developer_can_ask_for_the_technical_404(settings, client_for, member):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = True
    response = client_for(member).get("/no-such-page/")
    assert response.status_code == 404 and "DEBUG = True" in response.content.decode()
