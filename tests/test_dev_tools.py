"""The profilers a contributor turns on in development (config/settings.py): they load,
show on a page, and stay off unless DEBUG is on and they are asked for."""

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

# Each test starts a Python process that migrates a database of its own.
pytestmark = pytest.mark.slow

SCRIPT = """
import django, json, os
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
from teams.models import User
user = User.objects.create_user(email="dev@example.com", password="x")
client = Client()
client.force_login(user)
# Without DEBUG pages need collected static files: the settings tell enough then.
response = client.get("/") if settings.DEBUG else None
print(json.dumps({
    "status": response.status_code if response else None,
    "toolbar": bool(response) and 'id="djDebug"' in response.content.decode(),
    "csp": response.get("Content-Security-Policy", "") if response else "",
    "middleware": settings.MIDDLEWARE,
    "apps": settings.INSTALLED_APPS,
    "style_src": [str(source) for source in settings.SECURE_CSP["style-src"]],
}))
"""


def run(tmp_path, **env) -> dict:
    import json

    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 50,
        **env,
    }
    for name in ("DEBUG_TOOLBAR", "PYINSTRUMENT_PROFILE_DIR"):
        if name not in env:
            environ.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_debug_toolbar_shows_in_development_when_asked_for(tmp_path):
    shown = run(tmp_path, DEBUG="true", DEBUG_TOOLBAR="true")
    assert shown["status"] == 200 and shown["toolbar"]
    assert "style-src 'self' 'unsafe-inline'" in shown["csp"]


def test_pyinstrument_writes_a_profile_of_each_request_when_asked_for(tmp_path):
    profiles = tmp_path / "profiles"
    result = run(tmp_path, DEBUG="true", PYINSTRUMENT_PROFILE_DIR=str(profiles))
    assert result["status"] == 200
    assert [p for p in profiles.iterdir() if p.suffix == ".html"], "no profile written"


def test_neither_runs_without_debug_even_when_asked_for(tmp_path):
    profiles = tmp_path / "profiles"
    result = run(
        tmp_path, DEBUG="false", DEBUG_TOOLBAR="true", PYINSTRUMENT_PROFILE_DIR=str(profiles)
    )
    assert not any("debug_toolbar" in m or "pyinstrument" in m for m in result["middleware"])
    assert "debug_toolbar" not in result["apps"]
    assert result["style_src"] == ["'self'"]
