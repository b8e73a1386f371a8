"""Reading a team page as a test client, its team's page versions, the company's epoch."""

import re

from django.urls import reverse

from teams import page_version
from teams.models import Team


def page(client, team: Team) -> str:
    response = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def body(html: str) -> str:
    """The page without its chrome (whose CSRF token and CSP nonce change every time)."""
    return html[html.index("<main") : html.index("</main>")]


def same_for_everyone(html: str) -> str:
    """The page's body without the request's own (masked) CSRF tokens in its forms."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body(html))


def version(team: Team) -> int:
    return Team.objects.values_list("page_version", flat=True).get(pk=team.pk)


def versions(team: Team) -> dict[str, int]:
    """The page version and the versions of each section."""
    return Team.objects.values(*page_version.VERSION_COLUMNS).get(pk=team.pk)


def every_teams_versions() -> dict[int, tuple]:
    return {pk: rest for pk, *rest in Team.objects.values_list("pk", *page_version.VERSION_COLUMNS)}


def epoch() -> int:
    return page_version.epoch()
