"""The outbox moved from checkins to teams without losing a row: a database as the last
release left it (rows written, a content type) migrated forward, on SQLite and on
PostgreSQL, in a process of its own."""

import json
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.helpers import IN_CI, ROOT

pytestmark = pytest.mark.slow  # a process that migrates a database of its own

SCRIPT = """
import json
from datetime import date

import django

django.setup()
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("teams", "0005_team_page_version"), ("checkins", "0002_email_outbox")]
executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
old = executor.loader.project_state(BEFORE).apps
User, Team = old.get_model("teams", "User"), old.get_model("teams", "Team")
Outbox = old.get_model("checkins", "EmailOutbox")
ContentType = old.get_model("contenttypes", "ContentType")
ContentType.objects.create(app_label="checkins", model="emailoutbox")
mia = User.objects.create(email="mia@example.com", password="!")
team = Team.objects.create(name="Onboarding", slug="onboarding")
monday = date(2026, 11, 30)
Outbox.objects.create(kind="reminder", recipient=mia, team=team, period=monday, status="sent")
Outbox.objects.create(kind="digest", recipient=mia, period=monday, attempts=3, last_error="x")

call_command("migrate", verbosity=0)

from django.contrib.contenttypes.models import ContentType
from teams.models import EmailOutbox

rows = EmailOutbox.objects.order_by("id").values_list(
    "kind", "recipient__email", "team__slug", "period", "status", "attempts", "last_error"
)
try:
    with transaction.atomic():
        EmailOutbox.objects.create(kind="digest", recipient_id=mia.pk, period=monday)
    second_digest = "written"
except IntegrityError:
    second_digest = "refused"
print(json.dumps({
    "rows": [[str(value) for value in row] for row in rows],
    "second_digest": second_digest,
    "content_types": sorted(
        ContentType.objects.filter(model="emailoutbox").values_list("app_label", flat=True)
    ),
}))
"""


@contextmanager
def fresh_database(vendor: str, tmp_path):
    """The URL of an empty database of this test's own."""
    if vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI runs the suite on PostgreSQL")
        pytest.skip("set DATABASE_URL to a PostgreSQL server to run this on PostgreSQL")
    import psycopg

    db = connection.settings_dict
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"outbox_upgrade_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_outbox_moves_to_teams_with_its_rows(vendor, tmp_path):
    with fresh_database(vendor, tmp_path) as url:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "true",
                "SECRET_KEY": "tests-only-not-secret",
            },
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == [
        ["reminder", "mia@example.com", "onboarding", "2026-11-30", "sent", "0", ""],
        ["digest", "mia@example.com", "None", "2026-11-30", "pending", "3", "x"],
    ]
    assert result["second_digest"] == "refused"  # the rhythm's constraints came along
    assert result["content_types"] == ["teams"]
