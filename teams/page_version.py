"""Each team's page version, changed by the database whenever a row its page shows does.

The team page as people outside the team see it is cached under the team's
`page_version` (okrs/team_page.py). The version is kept by triggers, not by the code
that writes: every insert, update or delete of a watched row, made by a service, a
queryset `.update()`, a bulk insert, the admin or another process, gives the teams whose
page shows that row a new random version in the same transaction. Nothing in Python has
to remember to invalidate, and a page cannot be served stale.

The version is random rather than counted, so a database restored from a backup never
meets the cache entries of versions it has forgotten.

Each app lists the tables of its own that a team page shows (`Watch`); this module's
`WATCHES` and the lists named in `settings.TEAM_PAGE_WATCHES`. The triggers are
(re)created after every `migrate` (and `flush`), from those lists, on PostgreSQL and
SQLite. On SQLite they are dropped before migrating, because SQLite rebuilds a table
to alter it, and a trigger that names a table being rebuilt stops the rebuild.
"""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.utils.module_loading import import_string

TEAM_TABLE = "teams_team"
ALL_TEAMS = "every team"


def random_version() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class Watch:
    """A table whose rows a team page shows.

    `teams` are queries of the ids of the teams whose page shows a row, with `{row}` for
    the row, or ALL_TEAMS. An update that changes a column those queries use counts for
    the teams of the old row too. With `columns`, only an update of one of those columns
    counts (inserts and deletes not).
    """

    table: str
    teams: tuple[str, ...]
    columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"page_version_{self.table}"

    @property
    def keys(self) -> list[str]:
        """The row's columns that decide whose page shows it."""
        return sorted(set(re.findall(r"\{row\}\.(\w+)", " ".join(self.teams))))


def _bump(watch: Watch, rows: tuple[str, ...], vendor: str) -> str:
    new = "(random() * 4611686018427387903)::bigint" if vendor == "postgresql" else "random()"
    # Tables and queries come from the apps' watch lists, never from user input.
    update = f"UPDATE {TEAM_TABLE} SET page_version = {new}"  # noqa: S608
    if ALL_TEAMS in watch.teams:
        return f"{update};"
    ids = " UNION ALL ".join(query.format(row=row) for row in rows for query in watch.teams)
    return f"{update} WHERE id IN ({ids});"


def _postgresql(watch: Watch) -> list[str]:
    if watch.keys:
        moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watch.keys)
        body = f"""IF TG_OP = 'INSERT' THEN {_bump(watch, ("NEW",), "postgresql")}
  ELSIF TG_OP = 'DELETE' THEN {_bump(watch, ("OLD",), "postgresql")}
  ELSIF {moved} THEN {_bump(watch, ("OLD", "NEW"), "postgresql")}
  ELSE {_bump(watch, ("NEW",), "postgresql")}
  END IF;"""
    else:
        body = _bump(watch, (), "postgresql")
    function = f"""
CREATE OR REPLACE FUNCTION {watch.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {body}
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
    if watch.columns:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watch.columns)
        events = {"update": (f"UPDATE ON {watch.table} FOR EACH ROW WHEN {changed}", ("NEW",))}
    else:
        events = {
            "insert": (f"INSERT ON {watch.table}", ("NEW",)),
            "update": (f"UPDATE ON {watch.table}", ("OLD", "NEW")),
            "delete": (f"DELETE ON {watch.table}", ("OLD",)),
        }
    return [
        f"CREATE TRIGGER {watch.name}_{event} AFTER {on} BEGIN {_bump(watch, rows, 'sqlite')} END"
        for event, (on, rows) in events.items()
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


# What a team page shows of this app besides the team itself (whose own fields are part
# of its cache key): its members, and people's names wherever they appear.
WATCHES = [
    Watch("teams_membership", ("SELECT {row}.team_id",)),
    Watch("teams_user", (ALL_TEAMS,), columns=("name", "email", "is_active")),
]


def watches() -> list[Watch]:
    found = list(WATCHES)
    for path in settings.TEAM_PAGE_WATCHES:
        found += import_string(path)
    return found


def install(using: str = "default", **kwargs) -> None:
    """Create (or recreate) the triggers of every watch whose table exists, at once."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if TEAM_TABLE not in tables:
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, TEAM_TABLE)
        versioned = "page_version" in {column.name for column in columns}
        for watch in watches():
            if watch.table in tables:
                statements = _drop(watch, connection.vendor)
                if versioned:  # else migrated back to before the versions
                    statements += _statements(watch, connection.vendor)
                for statement in statements:
                    cursor.execute(statement)


def drop_before_migrating(using: str = "default", **kwargs) -> None:
    """SQLite rebuilds a table to alter it; a trigger naming that table stops it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'page_version_%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
