"""Reading a team page as a test client, and its team's page version."""

from django.urls import reverse

from teams.models import Team


def page(client, team: Team) -> str:
    response = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def body(html: str) -> str:
    """The page without its chrome (whose CSRF token and CSP nonce change every time)."""
    return html[html.index("<main") : html.index("</main>")]


def version(team: Team) -> int:
    return Team.objects.values_list("page_version", flat=True).get(pk=team.pk)
