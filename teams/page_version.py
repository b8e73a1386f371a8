"""The versions a cached team page is kept under, changed by the database whenever a row
the page shows does.

A team page is cached in sections (dashboard/team_page.py), each under versions that
change with what it shows:

- the team's section versions (`head_version`: the team's people and last cycle,
  `okr_version`: its OKR, `checkins_version`: its weekly rhythm), and `page_version`,
  which changes with any of them (for readers of the whole team, such as the home page's
  status rows);
- the company's page epoch (`PageEpoch`, one row), which changes with what every team's
  page shows: a cycle, the company objective and its key results, a person's name or
  leadership. Such a change updates one row, not every team's.

The versions are kept by triggers, not by the code that writes: every insert, update or
delete of a watched row, made by a service, a queryset `.update()`, a bulk insert, the
admin or another process, gives the teams whose page shows that row new versions of the
sections that show it, in the same transaction, or the company a new epoch. Nothing in
Python has to remember to invalidate. What the triggers cannot see: a table or column
nobody watches (tests/dashboard/team_page/ checks the tables a page and each section
reads), and, on SQLite, writes between a migration that failed half-way and the next
successful `migrate` (the triggers are dropped while migrating).

The versions are random rather than counted, so a database restored from a backup never
meets the cache entries of versions it has forgotten.

Lock order: a team's triggers update its team row at once (the row is locked last of a
team's write: the objective first, then the rows below it, then the team). The epoch's
triggers on PostgreSQL are constraint triggers deferred to the commit, so the epoch row
is the last row a transaction locks, after all its own: a leader's change waits there
for another leader's commit at worst, and never holds it while waiting for anything
else, so leaders and teams cannot deadlock over it. (SQLite writes one transaction at a
time: its triggers run at once.) Tests that never commit make them fire at once
(`fire_company_triggers_now`).

Each app lists the tables of its own that a team page shows (`Watch`); this module's
`WATCHES` and the lists named in `settings.TEAM_PAGE_WATCHES`. The triggers are
brought in line with those lists after every `migrate` (and `flush`): on PostgreSQL only
the ones that changed (each function carries a hash of its statements), so a deploy does
not lock every watched table; on SQLite all of them, after dropping them before
migrating, because SQLite rebuilds a table to alter it, and a trigger that names a table
being rebuilt stops the rebuild. PostgreSQL 14 or newer.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.utils.module_loading import import_string

TEAM_TABLE = "teams_team"
EPOCH_TABLE = "teams_pageepoch"
EPOCH_ID = 1
# The sections of a team page, each cached under its own version (a column of the team).
SECTIONS = ("head", "okr", "checkins")
VERSION_COLUMNS = ("page_version", *(f"{section}_version" for section in SECTIONS))
# A `company` condition that always holds: every row of the table shows on every page.
EVERY_ROW = "TRUE"


def random_version() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class Watch:
    """A table whose rows a team page shows.

    `teams` are queries of the ids of the teams whose page shows a row, with `{row}` for
    the row; `sections` the sections of their pages that show it. `company` is a
    condition on the row (`{row}`, EVERY_ROW for all) under which it shows on every
    team's page: then the company's page epoch changes instead. An update that changes a
    column the queries use counts for the teams of the old row too. With `columns`, an
    update counts only when it changes one of those columns; with `rows`, a condition on
    the row (`{row}` again, no subquery), an insert or a delete counts only when the row
    meets it.
    """

    table: str
    teams: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: str = ""
    sections: tuple[str, ...] = SECTIONS
    company: str = ""

    @property
    def name(self) -> str:
        return f"page_version_{self.table}"

    @property
    def company_name(self) -> str:
        return f"{self.name}_company"

    @property
    def keys(self) -> list[str]:
        """The row's columns that decide whose page shows it."""
        return sorted(set(re.findall(r"\{row\}\.(\w+)", " ".join(self.teams))))


def _new(vendor: str) -> str:
    return "(random() * 4611686018427387903)::bigint" if vendor == "postgresql" else "random()"


def _bump(watch: Watch, rows: tuple[str, ...], vendor: str) -> str:
    columns = ("page_version", *(f"{section}_version" for section in watch.sections))
    changes = ", ".join(f"{column} = {_new(vendor)}" for column in columns)
    ids = " UNION ALL ".join(query.format(row=row) for row in rows for query in watch.teams)
    # Tables and queries come from the apps' watch lists, never from user input.
    return f"UPDATE {TEAM_TABLE} SET {changes} WHERE id IN ({ids});"  # noqa: S608


def _bump_epoch(vendor: str) -> str:
    return f"UPDATE {EPOCH_TABLE} SET version = {_new(vendor)} WHERE id = {EPOCH_ID};"  # noqa: S608


def _company_rows(watch: Watch) -> dict[str, str]:
    """When a row of each event shows on every page ("" always)."""
    if watch.company == EVERY_ROW:
        return {"insert": "", "update": "", "delete": ""}
    new, old = (f"({watch.company.format(row=row)})" for row in ("NEW", "OLD"))
    return {"insert": new, "update": f"{old} OR {new}", "delete": old}


def _postgresql(watch: Watch) -> dict[str, list[str]]:
    """Each trigger function of the watch, with the statements that create it and its
    triggers."""
    functions = {}
    if watch.teams:
        functions[watch.name] = _postgresql_teams(watch)
    if watch.company:
        functions[watch.company_name] = _postgresql_company(watch)
    return functions


def _postgresql_teams(watch: Watch) -> list[str]:
    if watch.keys:
        moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watch.keys)
        body = f"""IF TG_OP = 'INSERT' THEN {_bump(watch, ("NEW",), "postgresql")}
  ELSIF TG_OP = 'DELETE' THEN {_bump(watch, ("OLD",), "postgresql")}
  ELSIF {moved} THEN {_bump(watch, ("OLD", "NEW"), "postgresql")}
  ELSE {_bump(watch, ("NEW",), "postgresql")}
  END IF;"""
    else:  # queries that do not depend on the row
        body = _bump(watch, ("NEW",), "postgresql")
    function = _function(watch.name, body)
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


def _postgresql_company(watch: Watch) -> list[str]:
    """Deferred to the commit: the epoch row is the last row the transaction locks."""
    bump = _bump_epoch("postgresql")
    if watch.company == EVERY_ROW:
        body = bump
    else:  # evaluated in the function: a trigger's WHEN may hold no subquery
        rows = _company_rows(watch)
        body = f"""IF TG_OP = 'INSERT' THEN IF {rows["insert"]} THEN {bump} END IF;
  ELSIF TG_OP = 'DELETE' THEN IF {rows["delete"]} THEN {bump} END IF;
  ELSIF {rows["update"]} THEN {bump}
  END IF;"""
    return [_function(watch.company_name, body)] + [
        f"CREATE CONSTRAINT TRIGGER {watch.company_name}_{event} AFTER {event.upper()} "
        f"ON {watch.table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"{f'WHEN ({when}) ' if when else ''}EXECUTE FUNCTION {watch.company_name}()"
        for event, when in _conditions(watch, distinct="IS DISTINCT FROM").items()
    ]


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {body}
  RETURN NULL;
END
$$"""


def _conditions(watch: Watch, *, distinct: str) -> dict[str, str]:
    """When each event counts ("" always)."""
    return {
        "insert": watch.rows.format(row="NEW"),
        "update": " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in watch.columns),
        "delete": watch.rows.format(row="OLD"),
    }


def _sqlite(watch: Watch) -> list[str]:
    rows = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
    conditions = _conditions(watch, distinct="IS NOT")
    statements = []
    if watch.teams:
        statements += [
            f"CREATE TRIGGER {watch.name}_{event} AFTER {event.upper()} ON {watch.table} "
            f"FOR EACH ROW {f'WHEN {when} ' if when else ''}"
            f"BEGIN {_bump(watch, rows[event], 'sqlite')} END"
            for event, when in conditions.items()
        ]
    if watch.company:
        company = _company_rows(watch)
        for event, when in conditions.items():
            both = " AND ".join(f"({c})" for c in (when, company[event]) if c)
            statements.append(
                f"CREATE TRIGGER {watch.company_name}_{event} AFTER {event.upper()} "
                f"ON {watch.table} FOR EACH ROW {f'WHEN {both} ' if both else ''}"
                f"BEGIN {_bump_epoch('sqlite')} END"
            )
    return statements


def _fingerprint(statements: list[str]) -> str:
    return hashlib.blake2b("\n".join(statements).encode(), digest_size=16).hexdigest()


# What a team page shows of this app besides the team itself (whose own fields are part
# of its cache key): its members, and people's names wherever they appear.
WATCHES = [
    # the members' names in the head; the team's people are offered as owners in forms
    Watch("teams_membership", ("SELECT {row}.team_id",), sections=("head", "okr")),
    # a leader may own key results: who is one shows in the forms' owner lists (a new
    # person who is not a leader shows nowhere until a membership or a write names them)
    Watch(
        "teams_user",
        columns=("name", "email", "is_active", "is_leader"),
        rows="{row}.is_leader",
        company=EVERY_ROW,
    ),
]


def watches() -> list[Watch]:
    found = list(WATCHES)
    for path in settings.TEAM_PAGE_WATCHES:
        found += import_string(path)
    return found


def install(using: str = "default", **kwargs) -> None:
    """Bring the triggers in line with the watch lists, and make sure the company's epoch
    row exists (after every migrate and flush)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if TEAM_TABLE not in tables:
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, TEAM_TABLE)
        # Migrated back to before the versions: no trigger may name them.
        versioned = set(VERSION_COLUMNS) <= {column.name for column in columns}
        versioned = versioned and EPOCH_TABLE in tables
        wanted = [w for w in watches() if w.table in tables] if versioned else []
        if versioned:
            cursor.execute(
                f"INSERT INTO {EPOCH_TABLE} (id, version) SELECT %s, %s "  # noqa: S608
                f"WHERE NOT EXISTS (SELECT 1 FROM {EPOCH_TABLE} WHERE id = %s)",
                [EPOCH_ID, random_version(), EPOCH_ID],
            )
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
    each function carries the hash of its statements (and its triggers') as its comment."""
    cursor.execute("SET LOCAL lock_timeout = '10s'")
    cursor.execute(
        "SELECT proname, obj_description(oid, 'pg_proc') FROM pg_proc "
        "WHERE proname LIKE 'page\\_version\\_%'"
    )
    installed = dict(cursor.fetchall())
    for watch in wanted:
        for name, statements in _postgresql(watch).items():
            fingerprint = _fingerprint(statements)
            if installed.pop(name, None) == fingerprint:
                continue
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(f"COMMENT ON FUNCTION {name}() IS '{fingerprint}'")
    for stale in installed:  # a watch that was removed: its function and its triggers
        cursor.execute(f"DROP FUNCTION IF EXISTS {stale}() CASCADE")


def company_triggers(using: str = "default") -> list[str]:
    """The names of the triggers that change the company's epoch (PostgreSQL's are
    constraint triggers, deferred to the commit)."""
    names = []
    for watch in watches():
        if watch.company:
            names += [f"{watch.company_name}_{event}" for event in ("insert", "update", "delete")]
    return names


def fire_company_triggers_now(using: str = "default") -> None:
    """For the rest of this transaction the epoch changes with each statement, not at the
    commit (for tests whose transaction is rolled back, never committed)."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(company_triggers(using))} IMMEDIATE")


def epoch(using: str = "default") -> int:
    """The company's page epoch (one query; 0 before any row exists)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT version FROM {EPOCH_TABLE} WHERE id = %s", [EPOCH_ID])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


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
