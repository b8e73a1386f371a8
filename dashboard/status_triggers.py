"""The status rows' two triggers (dashboard/status.py says what they keep), installed
after every migrate and flush like the page-version triggers (teams/page_version.py)."""

from django.db import connections, transaction

from dashboard.models import ObjectiveStatus
from okrs.models import Objective

STATUS_TABLE = ObjectiveStatus._meta.db_table
# --- the triggers -----------------------------------------------------------------------

TEAM_COLUMNS = ("page_version", "name", "checkin_weekday", "checkin_time", "time_zone")


def _statements(vendor: str) -> list[str]:
    team, objective = "teams_team", Objective._meta.db_table
    mark = f"UPDATE {STATUS_TABLE} SET stale = TRUE WHERE team_id = NEW.id;"  # noqa: S608
    insert = (
        f"INSERT INTO {STATUS_TABLE} (objective_id, cycle_id, team_id) "  # noqa: S608
        "VALUES (NEW.id, NEW.cycle_id, NEW.team_id)"
    )
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in TEAM_COLUMNS)
        return [
            "CREATE OR REPLACE FUNCTION objective_status_stale() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {mark} RETURN NULL; END $$",
            f"CREATE OR REPLACE TRIGGER objective_status_stale AFTER UPDATE ON {team} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION objective_status_stale()",
            "CREATE OR REPLACE FUNCTION objective_status_new() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {insert} ON CONFLICT DO NOTHING; RETURN NULL; END $$",
            f"CREATE OR REPLACE TRIGGER objective_status_new AFTER INSERT ON {objective} "
            "FOR EACH ROW WHEN (NEW.level = 'team' AND NEW.team_id IS NOT NULL) "
            "EXECUTE FUNCTION objective_status_new()",
        ]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TEAM_COLUMNS)
    return [
        f"CREATE TRIGGER objective_status_stale AFTER UPDATE ON {team} FOR EACH ROW "
        f"WHEN {changed} BEGIN {mark} END",
        f"CREATE TRIGGER objective_status_new AFTER INSERT ON {objective} FOR EACH ROW "
        f"WHEN NEW.level = 'team' AND NEW.team_id IS NOT NULL "
        f"BEGIN {insert.replace('INSERT INTO', 'INSERT OR IGNORE INTO')}; END",
    ]


def install_triggers(using: str = "default", **kwargs) -> None:
    """After every migrate and flush: the triggers, and a row for any team objective
    without one (written before the triggers existed, or while they were dropped)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if STATUS_TABLE not in tables:
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # PostgreSQL replaces them in place
            drop_triggers(using)
        for statement in _statements(connection.vendor):
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {STATUS_TABLE} (objective_id, cycle_id, team_id) "  # noqa: S608
            f"SELECT o.id, o.cycle_id, o.team_id FROM {Objective._meta.db_table} o "
            f"LEFT JOIN {STATUS_TABLE} s ON s.objective_id = o.id "
            "WHERE o.level = 'team' AND o.team_id IS NOT NULL AND s.objective_id IS NULL"
        )


def drop_before_migrating(using: str = "default", **kwargs) -> None:
    if connections[using].vendor == "sqlite":
        drop_triggers(using)


def drop_triggers(using: str = "default", **kwargs) -> None:
    """Before migrating (SQLite rebuilds a table to alter it; a trigger naming it stops
    the rebuild) and before installing them again."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS objective_status_stale() CASCADE")
            cursor.execute("DROP FUNCTION IF EXISTS objective_status_new() CASCADE")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS objective_status_stale")
            cursor.execute("DROP TRIGGER IF EXISTS objective_status_new")
