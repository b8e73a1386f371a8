"""A team page as everyone outside the team sees it, built once per change.

Building a team page costs about 35 ms (fifteen queries, the ORM compiling them, the
template). At company scale most views of a team's page are by people outside the team:
no forms, nothing of their own on it, the same page for all of them. For them the page
body is cached under a key that changes whenever anything on it can:

- the team's `page_version`, which database triggers change whenever a row the page
  shows changes, however it was written (teams/page_version.py);
- the team's own fields (its name, purpose, schedule);
- the day, since the signals follow the calendar;
- the code that renders it, so a deploy never serves the last release's markup.

The team row is read for the page anyway, so a cached page costs no query of its own.
Members, leads and leaders get their page built for them, forms and all.
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from teams.models import Team
from teams.page_version import ALL_TEAMS, Watch

OF_OBJECTIVE = "SELECT team_id FROM okrs_objective WHERE id = {row}.objective_id"
# The rows of this app a team page shows (see teams/page_version.py): a cycle's dates and
# status touch every page; a company objective's or key result's title the pages of the
# teams that move it.
WATCHES = [
    Watch("okrs_cycle", (ALL_TEAMS,)),
    Watch(
        "okrs_objective",
        (
            "SELECT {row}.team_id",
            "SELECT o.team_id FROM okrs_objective o JOIN okrs_keyresult k"
            " ON o.aligned_to_id = k.id WHERE k.objective_id = {row}.id",
        ),
    ),
    Watch(
        "okrs_keyresult",
        (OF_OBJECTIVE, "SELECT team_id FROM okrs_objective WHERE aligned_to_id = {row}.id"),
    ),
    Watch(
        "okrs_keyresultupdate",
        (
            "SELECT o.team_id FROM okrs_objective o JOIN okrs_keyresult k"
            " ON k.objective_id = o.id WHERE k.id = {row}.key_result_id",
        ),
    ),
    Watch("okrs_comment", (OF_OBJECTIVE,)),
    Watch("okrs_objectiveevent", (OF_OBJECTIVE,)),
]
BODY_TEMPLATE = "okrs/team_detail.html#team_body"
CACHE_SECONDS = 24 * 60 * 60  # the key holds the day: a day at most
# The code whose output is cached: a change to any of it is a new key.
RENDERING_CODE = ("templates", "okrs", "checkins", "teams", "config")


@functools.cache
def code_version() -> str:
    """A hash of the templates and apps that render the page, and of Django's version."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=16)
    base = Path(settings.BASE_DIR)
    for folder in RENDERING_CODE:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(team: Team) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_version().encode())
    digest.update(timezone.localdate().isoformat().encode())
    for field in Team._meta.concrete_fields:
        digest.update(f"|{field.value_to_string(team)}".encode())
    return f"team-page:{team.pk}:{digest.hexdigest()}"


def reader_body(request: HttpRequest, team: Team, build) -> str:
    """The page body for a viewer outside the team: cached, or rendered from `build()`
    (the page's context) and cached. The template's safe string is stored as it is."""
    key = cache_key(team)
    body = cache.get(key)
    if body is None:
        body = render_to_string(BODY_TEMPLATE, build(), request=request)
        cache.set(key, body, CACHE_SECONDS)
    return body
