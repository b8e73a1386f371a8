"""Each team's page version, changed by the database whenever a row its page shows does.

The team page as people outside the team see it is cached under the team's
`page_version` (okrs/team_page.py). The version is kept by triggers, not by the code
that writes: every insert, update or delete of a watched row, made by a service, a
queryset `.update()`, a bulk insert, the admin or another process, gives the teams whose
page shows that row a new random version in the same transaction. Nothing in Python has
to remember to invalidate, and a page cannot be served stale.

The version is random rather than counted, so a database restored from a backup never
meets the cache entries of versions it has forgotten.

Each app declares the tables of its own that a team page shows, in a migration:
`install(schema_editor, watches)` creates the triggers, `uninstall` drops them. Both
PostgreSQL and SQLite are supported.
"""

import secrets
from dataclasses import dataclass

TEAM_TABLE = "teams_team"
ALL_TEAMS = "1 = 1"


def random_version() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class Watch:
    """A table whose rows a team page shows.

    `teams` are conditions on the team table naming the teams whose page shows a row,
    with `{row}` for the row (the old one, then the new one, on an update). With
    `columns`, only an update of one of those columns counts (inserts and deletes not).
    """

    table: str
    teams: tuple[str, ...]
    columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"page_version_{self.table}"


def _new_version(vendor: str) -> str:
    if vendor == "postgresql":
        return "(random() * 4611686018427387903)::bigint"
    return "random()"


def _bumps(watch: Watch, row: str, vendor: str) -> list[str]:
    return [
        # Tables and conditions come from migrations, never from user input.
        f"UPDATE {TEAM_TABLE} SET page_version = {_new_version(vendor)} "  # noqa: S608
        f"WHERE {condition.format(row=row)};"
        for condition in watch.teams
    ]


def _changed(watch: Watch) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watch.columns)


def _postgresql(watch: Watch) -> list[str]:
    old = "\n    ".join(_bumps(watch, "OLD", "postgresql"))
    new = "\n    ".join(_bumps(watch, "NEW", "postgresql"))
    function = f"""
CREATE OR REPLACE FUNCTION {watch.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {old}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {new}
  END IF;
  RETURN NULL;
END
$$"""
    if watch.columns:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watch.columns)
        when = f"AFTER UPDATE ON {watch.table} FOR EACH ROW WHEN ({changed})"
    else:
        when = f"AFTER INSERT OR UPDATE OR DELETE ON {watch.table} FOR EACH ROW"
    trigger = f"CREATE TRIGGER {watch.name} {when} EXECUTE FUNCTION {watch.name}()"
    return [function, trigger]


def _sqlite(watch: Watch) -> list[str]:
    old, new = _bumps(watch, "OLD", "sqlite"), _bumps(watch, "NEW", "sqlite")
    if watch.columns:
        events = {"update": (f"UPDATE ON {watch.table} FOR EACH ROW WHEN {_changed(watch)}", new)}
    else:
        events = {
            "insert": (f"INSERT ON {watch.table}", new),
            "update": (f"UPDATE ON {watch.table}", old + new),
            "delete": (f"DELETE ON {watch.table}", old),
        }
    return [
        f"CREATE TRIGGER {watch.name}_{event} AFTER {on} BEGIN {' '.join(body)} END"
        for event, (on, body) in events.items()
    ]


def _drop(watch: Watch, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {watch.name} ON {watch.table}",
            f"DROP FUNCTION IF EXISTS {watch.name}()",
        ]
    return [f"DROP TRIGGER IF EXISTS {watch.name}_{e}" for e in ("insert", "update", "delete")]


def _statements(watch: Watch, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _postgresql(watch)
    if vendor == "sqlite":
        return _sqlite(watch)
    raise NotImplementedError(f"Team page versions need PostgreSQL or SQLite, not {vendor}.")


def install(schema_editor, watches: list[Watch]) -> None:
    vendor = schema_editor.connection.vendor
    for watch in watches:
        for statement in [*_drop(watch, vendor), *_statements(watch, vendor)]:
            schema_editor.execute(statement, params=None)


def uninstall(schema_editor, watches: list[Watch]) -> None:
    for watch in watches:
        for statement in _drop(watch, schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)
