"""Who may use every API endpoint: the API's own permission table (the pages' table is
tests/permissions.py). Each entry: the method, the path in the permission world
(tests/permissions.build_world), a valid body, and the callers (tests/fixtures/api.py
CALLERS) that get through; every other caller is refused with 401 (no working token)
or 403 (not theirs), and a refused request changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAL = frozenset({"outsider", "member", "lead", "leader", "read_only"})
# Refused with 401: the token does not work at all.
UNAUTHENTICATED = frozenset({"anonymous", "expired", "revoked", "deactivated"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable
    allowed: frozenset
    data: Callable | None = None
    status: int = 200
    url_name: str = field(default="")


def _value(world) -> dict:
    return {"value": "7", "confidence": 6, "comment": "from the nightly job"}


API_PERMISSIONS: dict[str, Endpoint] = {
    "api:cycles": Endpoint("get", lambda w: "/api/v1/cycles", PERSONAL),
    "api:company_okr": Endpoint("get", lambda w: "/api/v1/cycles/active/company-okr", PERSONAL),
    "api:teams": Endpoint("get", lambda w: "/api/v1/teams", PERSONAL),
    "api:team_objective": Endpoint(
        "get", lambda w: f"/api/v1/teams/{w.team.slug}/objective", PERSONAL | {"team_token"}
    ),
    "api:team_objective (other team)": Endpoint(
        "get",
        lambda w: f"/api/v1/teams/{w.other_team.slug}/objective",
        PERSONAL | {"other_team_token"},
    ),
    "api:team_checkins": Endpoint(
        "get", lambda w: f"/api/v1/teams/{w.team.slug}/checkins", PERSONAL
    ),
    "api:team_checkin": Endpoint(
        "get", lambda w: f"/api/v1/teams/{w.team.slug}/checkins/{w.week}", PERSONAL
    ),
    "api:team_experiments": Endpoint(
        "get", lambda w: f"/api/v1/teams/{w.team.slug}/experiments", PERSONAL
    ),
    "api:value_record": Endpoint(
        "post",
        lambda w: f"/api/v1/key-results/{w.key_result.pk}/values",
        frozenset({"member", "lead", "leader", "team_token"}),
        _value,
        201,
    ),
    "api:value_record (other team)": Endpoint(
        "post",
        lambda w: f"/api/v1/key-results/{w.other_key_result.pk}/values",
        frozenset({"leader", "other_team_token"}),
        _value,
        201,
    ),
    "api:value_record (company)": Endpoint(
        "post",
        lambda w: f"/api/v1/key-results/{w.company_key_result.pk}/values",
        frozenset({"leader"}),
        _value,
        201,
    ),
    "api:comment_post": Endpoint(
        "post",
        lambda w: f"/api/v1/objectives/{w.objective.pk}/comments",
        frozenset({"member", "lead", "leader"}),
        lambda w: {"body": "The import runs nightly now."},
        201,
    ),
    "api:comment_post (other team)": Endpoint(
        "post",
        lambda w: f"/api/v1/objectives/{w.other_objective.pk}/comments",
        frozenset({"leader"}),
        lambda w: {"body": "The import runs nightly now."},
        201,
    ),
}

# Routes of the API namespace that are not endpoints with a token: the schema (for
# people signed in, like the docs page) and django-ninja's root (no view of its own).
NOT_TOKEN_ENDPOINTS = {"api:openapi-json", "api:api-root"}


def url_name(entry: str) -> str:
    return entry.split(" ", 1)[0]
