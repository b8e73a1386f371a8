"""A team page, built once per change for everyone who sees it the same way.

Building a team page costs about 35 ms (fifteen queries, the ORM compiling them, the
template), 50 ms with the forms its own team sees. Everyone in the same role (outside
the team, member, lead, leader) sees the same page, but for the CSRF token in its
forms. So the page body is cached per role, with a placeholder where the token goes,
under a key that changes whenever anything on the page can:

- the team's `page_version`, which database triggers change whenever a row the page
  shows changes, however it was written (teams/page_version.py);
- the team's own fields (its name, purpose, schedule);
- the day, and whether this week's check-in time and grace have passed, since the
  signals follow the calendar;
- the code that renders it, so a deploy never serves the last release's markup.

The team row and the viewer's roles are read for the page anyway, so a cached page costs
no query of its own. Each request gets its own (masked) CSRF token in the placeholder's
place.
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from checkins.cadence import check_in_overdue
from teams.access import is_leader, team_role
from teams.models import Team

BODY_TEMPLATE = "dashboard/team_detail.html#team_body"
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


def cache_key(team: Team, role: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    now = timezone.now()
    # the day, and whether this week's check-in is overdue yet (the signals follow both)
    overdue = check_in_overdue(team, now=now)
    digest.update(f"{code_version()}|{timezone.localdate(now)}|{overdue}|{role}".encode())
    for field in Team._meta.concrete_fields:
        digest.update(f"|{field.value_to_string(team)}".encode())
    return f"team-page:{team.pk}:{digest.hexdigest()}"


def body(request: HttpRequest, team: Team, build) -> str:
    """The page body for this viewer: cached, or rendered from `build()` (the page's
    context) and cached, with the request's CSRF token in its forms."""
    key = cache_key(team, viewer_role(request.user, team))
    cache = caches["pages"]
    cached = cache.get(key)
    if cached is None:
        context = {**build(), "csrf_token": CSRF_PLACEHOLDER}
        cached = render_to_string(BODY_TEMPLATE, context, request=request)
        cache.set(key, cached, CACHE_SECONDS)
    placeholder = CSRF_INPUT.format(CSRF_PLACEHOLDER)
    if placeholder not in cached:
        return cached  # no form on it (the template's safe string, as cached)
    # The template's own output, escaped when rendered; the token is [A-Za-z0-9] only.
    token = CSRF_INPUT.format(get_token(request))
    return mark_safe(cached.replace(placeholder, token))  # noqa: S308
