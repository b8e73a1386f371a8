"""The token pages: personal tokens under Settings and emails, a team's tokens from its
team page. A new token's secret is shown once, in the answer to the form that made it
(never stored, never in a session or a redirect)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api import selectors, services
from api.forms import PersonalTokenForm, TokenForm
from api.http import api
from api.models import ApiToken
from core.forms import add_errors
from core.htmx import UNPROCESSABLE
from teams import access as teams_access
from teams.audit import client_address

TEAM_TOKEN_MAKERS = gettext_lazy("The team's lead or a leader manages its API tokens.")


@login_required
@require_http_methods(["GET"])
def docs(request: HttpRequest) -> HttpResponse:
    """The interactive docs (Swagger UI from django-ninja's own static files: nothing
    is fetched from elsewhere), for people signed in."""
    return api.docs.render_page(request, api)


@login_required
@require_http_methods(["GET", "POST"])
def personal_tokens(request: HttpRequest) -> HttpResponse:
    form = PersonalTokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_on=form.cleaned_data["expires_on"],
                ip_address=client_address(request),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            form = PersonalTokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "made": made,
            "tokens": selectors.personal_tokens(request.user),
            "team": None,
            "action": reverse("tokens:personal"),
        },
        status=UNPROCESSABLE if form.errors else (201 if made else 200),
    )


@login_required
@require_POST
def personal_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, kind=ApiToken.Kind.PERSONAL)
    services.token_revoke(token=token, actor=request.user, ip_address=client_address(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("tokens:personal")


@login_required
@require_http_methods(["GET", "POST"])
def team_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    team = teams_access.get_team_for_spokesperson(request.user, slug, TEAM_TOKEN_MAKERS)
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=ApiToken.Scope.WRITE,
                expires_on=form.cleaned_data["expires_on"],
                team=team,
                ip_address=client_address(request),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            form = TokenForm()
    tokens = selectors.team_tokens(team)
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "made": made,
            "tokens": tokens,
            "team": team,
            "action": reverse("tokens:team", args=[team.slug]),
            "key_results": selectors.team_key_results(team),
        },
        status=UNPROCESSABLE if form.errors else (201 if made else 200),
    )


@login_required
@require_POST
def team_token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    team = teams_access.get_team_for_spokesperson(request.user, slug, TEAM_TOKEN_MAKERS)
    token = get_object_or_404(ApiToken, pk=token_id, team=team, kind=ApiToken.Kind.TEAM)
    services.token_revoke(token=token, actor=request.user, ip_address=client_address(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("tokens:team", slug=team.slug)
