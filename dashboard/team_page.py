"""A team page, built in sections, each once per change for everyone who sees it the same
way.

Building a whole team page costs about 35 ms (fifteen queries, the ORM compiling them,
the template), 50 ms with the forms its own team sees. Everyone in the same role
(outside the team, member, lead, leader) sees the same page, but for the CSRF token in
its forms. So the page is cached per role, with a placeholder where the token goes, in
three sections (`SECTIONS`: the head with the team's people, the OKR, the weekly
check-in), each under a key that changes whenever anything in it can:

- the team's version of that section (`head_version`, `okr_version`,
  `checkins_version`), which database triggers change whenever a row the section shows
  changes, however it was written (teams/page_version.py);
- the company's page epoch, which the triggers change with what every page shows (a
  cycle, the company OKR, a person's name or leadership), read in the team's own query;
- the team's own fields (its name, purpose, schedule);
- the day, and whether this week's check-in time and grace have passed, since the
  signals follow the calendar;
- the code that renders it, so a deploy never serves the last release's markup.

So a comment rebuilds the OKR section only, an obstacle the check-in section only, and
typing into a draft check-in rebuilds nothing (the page does not show the draft's text).
The team row (with the epoch) and the viewer's roles are read for the page anyway, so a
cached page costs no query of its own; the sections are fetched from the cache at once.
Each request gets its own (masked) CSRF token in the placeholder's place.
"""

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from checkins.cadence import check_in_overdue
from teams import page_version
from teams.access import is_leader, team_role
from teams.models import Team

TEMPLATE = "dashboard/team_detail.html"
# Each section of the page body, in order, is a partial of the page's template.
SECTIONS = page_version.SECTIONS
# Rendered instead of the CSRF token, replaced by the request's own when served. The
# whole attribute is replaced: escaped user text can never contain its quotes.
CSRF_PLACEHOLDER = "csrf-token-of-this-request"
CSRF_INPUT = 'name="csrfmiddlewaretoken" value="{}"'
CACHE_SECONDS = 24 * 60 * 60  # the key holds the day: a day at most
# The code whose output is cached: a change to any of it is a new key.
RENDERING_CODE = ("templates", "core", "okrs", "checkins", "teams", "dashboard", "config")


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


def viewer_role(user, team: Team) -> str:
    """What decides how a page looks to the viewer: leader or not, and the team role."""
    return f"{'leader' if is_leader(user) else 'person'}:{team_role(user, team) or 'outside'}"


def cache_key(team: Team, role: str, section: str) -> str:
    """The key of a section of the team's page as the role sees it. The team comes from
    `get_team(..., with_page_epoch=True)`; without the epoch it costs a query."""
    epoch = getattr(team, "page_epoch", None)
    if epoch is None:
        epoch = page_version.epoch()
    version = getattr(team, f"{section}_version")
    now = timezone.now()
    # the day, and for the check-in section whether this week's check-in is overdue yet
    # (its signals follow both; the other sections only the day)
    overdue = check_in_overdue(team, now=now) if section == "checkins" else ""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(
        f"{code_version()}|{timezone.localdate(now)}|{overdue}|{role}|{section}|{version}"
        f"|{epoch}|{translation.get_language()}".encode()
    )
    for field in Team._meta.concrete_fields:
        if field.attname not in page_version.VERSION_COLUMNS:
            digest.update(f"|{field.value_to_string(team)}".encode())
    return f"team-page:{team.pk}:{section}:{digest.hexdigest()}"


def body(request: HttpRequest, team: Team, build: Callable[[tuple[str, ...]], dict]) -> str:
    """The page body for this viewer: its sections cached, or rendered from
    `build(sections)` (the context of the sections missing from the cache) and cached,
    with the request's CSRF token in its forms."""
    role = viewer_role(request.user, team)
    keys = {section: cache_key(team, role, section) for section in SECTIONS}
    cache = caches["pages"]
    parts = cache.get_many(keys.values())
    missing = tuple(section for section in SECTIONS if keys[section] not in parts)
    if missing:
        context = {**build(missing), "csrf_token": CSRF_PLACEHOLDER}
        built = {
            keys[section]: render_to_string(f"{TEMPLATE}#team_{section}", context, request)
            for section in missing
        }
        cache.set_many(built, CACHE_SECONDS)
        parts.update(built)
    page = "".join(parts[keys[section]] for section in SECTIONS)
    placeholder = CSRF_INPUT.format(CSRF_PLACEHOLDER)
    if placeholder in page:  # the token is [A-Za-z0-9] only
        page = page.replace(placeholder, CSRF_INPUT.format(get_token(request)))
    # The template's own output, escaped when each section was rendered.
    return mark_safe(page)  # noqa: S308
