"""Each team's page version, changed by the database whenever a row its page shows does.

A team page is cached per role under the team's `page_version` (dashboard/team_page.py).
The version is kept by triggers, not by the code that writes: every insert, update or
delete of a watched row, made by a service, a queryset `.update()`, a bulk insert, the
admin or another process, gives the teams whose page shows that row a new random version
in the same transaction. Nothing in Python has to remember to invalidate. What the
triggers cannot see: a table or column nobody watches (tests/okrs/test_team_page_cache.py
checks the tables a page reads), and, on SQLite, writes between a migration that failed
half-way and the next successful `migrate` (the triggers are dropped while migrating).

The version is random rather than counted, so a database restored from a backup never
meets the cache entries of versions it has forgotten.

Each app lists the tables of its own that a team page shows (`Watch`); this module's
`WATCHES` and the lists named in `settings.TEAM_PAGE_WATCHES`. The triggers are
brought in line with those lists after every `migrate` (and `flush`): on PostgreSQL only
the ones that changed (each function carries a hash of its statements), so a deploy does
not lock every watched table; on SQLite all of them, after dropping them before
migrating, because SQLite rebuilds a table to alter it, and a trigger that names a table
being rebuilt stops the rebuild. A change to a cycle, a company objective or key result,
or a person's name or leadership gives every team a new version (they show on every
page); PostgreSQL 14 or newer.
"""

import hashlib
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
    the teams of the old row too. With `columns`, an update counts only when it changes
    one of those columns; with `rows`, a condition on the row (`{row}` again), an insert
    or a delete counts only when the row meets it.
    """

    table: str
    teams: tuple[str, ...]
    columns: tuple[str, ...] = ()
    rows: str = ""

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
    else:  # every team, or queries that do not depend on the row
        body = _bump(watch, ("NEW",), "postgresql")
    function = f"""
CREATE OR REPLACE FUNCTION {watch.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {body}
  RETURN NULL;
END
$$"""
    if not (watch.columns or watch.rows):
        return [
            function,
            f"CREATE OR REPLACE TRIGGER {watch.name} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {watch.table} FOR EACH ROW EXECUTE FUNCTION {watch.name}()",
        ]
    return [function] + [
        f"CREATE OR REPLACE TRIGGER {watch.name}_{event} AFTER {event.upper()} "
        f"ON {watch.table} FOR EACH ROW {f'WHEN ({when}) ' if when else ''}"
        f"EXECUTE FUNCTION {watch.name}()"
        for event, when in _conditions(watch, distinct="IS DISTINCT FROM").items()
    ]


def _conditions(watch: Watch, *, distinct: str) -> dict[str, str]:
    """When each event counts ("" always)."""
    return {
        "insert": watch.rows.format(row="NEW"),
        "update": " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in watch.columns),
        "delete": watch.rows.format(row="OLD"),
    }


def _sqlite(watch: Watch) -> list[str]:
    rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
    return [
        f"CREATE TRIGGER {watch.name}_{event} AFTER {event.upper()} ON {watch.table} "
        f"FOR EACH ROW {f'WHEN {when} ' if when else ''}"
        f"BEGIN {_bump(watch, rows[event], 'sqlite')} END"
        for event, when in _conditions(watch, distinct="IS NOT").items()
    ]


def _fingerprint(watch: Watch) -> str:
    return hashlib.blake2b("\n".join(_postgresql(watch)).encode(), digest_size=16).hexdigest()


# What a team page shows of this app besides the team itself (whose own fields are part
# of its cache key): its members, and people's names wherever they appear.
WATCHES = [
    Watch("teams_membership", ("SELECT {row}.team_id",)),
    # a leader may own key results: who is one shows in the forms' owner lists (a new
    # person who is not a leader shows nowhere until a membership or a write names them)
    Watch(
        "teams_user",
        (ALL_TEAMS,),
        columns=("name", "email", "is_active", "is_leader"),
        rows="{row}.is_leader",
    ),
]


def watches() -> list[Watch]:
    found = list(WATCHES)
    for path in settings.TEAM_PAGE_WATCHES:
        found += import_string(path)
    return found


def install(using: str = "default", **kwargs) -> None:
    """Bring the triggers in line with the watch lists (after every migrate and flush)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if TEAM_TABLE not in tables:
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, TEAM_TABLE)
        # Migrated back to before the versions: no trigger may name the column.
        versioned = "page_version" in {column.name for column in columns}
        wanted = [w for w in watches() if w.table in tables] if versioned else []
        if connection.vendor == "postgresql":
            _install_postgresql(cursor, wanted)
        elif connection.vendor == "sqlite":
            drop_before_migrating(using)
            for watch in wanted:
                for statement in _sqlite(watch):
                    cursor.execute(statement)
        else:
            raise NotImplementedError("Team page versions need PostgreSQL or SQLite.")


def _install_postgresql(cursor, wanted: list[Watch]) -> None:
    """Only what changed, so a deploy's migrate does not lock every watched table again:
    each function carries the hash of its watch's statements as its comment."""
    cursor.execute("SET LOCAL lock_timeout = '10s'")
    cursor.execute(
        "SELECT proname, obj_description(oid, 'pg_proc') FROM pg_proc "
        "WHERE proname LIKE 'page\\_version\\_%'"
    )
    installed = dict(cursor.fetchall())
    for watch in wanted:
        fingerprint = _fingerprint(watch)
        if installed.pop(watch.name, None) == fingerprint:
            continue
        cursor.execute(f"DROP FUNCTION IF EXISTS {watch.name}() CASCADE")
        for statement in _postgresql(watch):
            cursor.execute(statement)
        cursor.execute(f"COMMENT ON FUNCTION {watch.name}() IS '{fingerprint}'")
    for stale in installed:  # a watch that was removed: its function and its triggers
        cursor.execute(f"DROP FUNCTION IF EXISTS {stale}() CASCADE")


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
