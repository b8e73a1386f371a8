"""The webhooks' pages: the company's endpoints (leaders), a team's (its leads and
leaders), one endpoint with its deliveries, and the buttons that act on them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_errors
from core.htmx import render_page_or_fragment
from core.http import error_text
from core.versioning import StaleEdit
from teams.audit import client_address
from teams.models import Team
from webhooks import access, selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

SECRET_KEY = "webhook_secret"
WAITING = (Delivery.Status.PENDING, Delivery.Status.SENDING)


def _list_url(endpoint_team: Team | None) -> str:
    if endpoint_team is None:
        return reverse("webhooks:company")
    return reverse("webhooks:team", args=[endpoint_team.slug])


@login_required
@require_http_methods(["GET"])
def company(request: HttpRequest) -> HttpResponse:
    """The company-wide endpoints, and every team's (leaders)."""
    access.require_leader_for_company(request.user)
    context = {
        "team": None,
        "endpoints": list(selectors.endpoints_listed(team=None)),
        "team_endpoints": list(selectors.endpoints_listed(team=None, all_teams=True)),
    }
    return render(request, "webhooks/list.html", context)


@login_required
@require_http_methods(["GET"])
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's endpoints (its leads and leaders)."""
    the_team = access.get_team_for_webhooks(request.user, slug)
    context = {"team": the_team, "endpoints": list(selectors.endpoints_listed(team=the_team))}
    return render(request, "webhooks/list.html", context)


def _create(request: HttpRequest, the_team: Team | None) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = services.endpoint_create(
                team=the_team,
                url=data["url"],
                events=data["events"],
                format=data["format"],
                description=data["description"],
                actor=request.user,
                ip_address=client_address(request),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            # Shown once, on the endpoint's page that follows; never again.
            request.session[SECRET_KEY] = {"id": endpoint.pk, "secret": endpoint.secret}
            messages.success(request, _("Webhook added. Copy its secret now."))
            return redirect("webhooks:endpoint", endpoint.pk)
    context = {"form": form, "team": the_team, "list_url": _list_url(the_team)}
    return render(request, "webhooks/form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    access.require_leader_for_company(request.user)
    return _create(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _create(request, access.get_team_for_webhooks(request.user, slug))


@login_required
@require_http_methods(["GET"])
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """One endpoint: its settings, its secret once after it was added, its deliveries."""
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    shown = request.session.get(SECRET_KEY)
    secret = None
    if shown and shown.get("id") == the_endpoint.pk:
        secret = shown["secret"]
        del request.session[SECRET_KEY]
    deliveries = selectors.deliveries_of(the_endpoint)
    context = {
        "endpoint": the_endpoint,
        "secret": secret,
        "deliveries": deliveries,
        "waiting": any(d.status in WAITING for d in deliveries),
        "list_url": _list_url(the_endpoint.team),
        "shown": selectors.DELIVERIES_SHOWN,
    }
    response = render_page_or_fragment(
        request, "webhooks/endpoint.html", context, fragment="deliveries"
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    form = EndpointForm.for_endpoint(the_endpoint, request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.endpoint_update(
                endpoint=the_endpoint,
                url=data["url"],
                events=data["events"],
                format=data["format"],
                description=data["description"],
                expected_version=data["version"] or 0,
                actor=request.user,
                ip_address=client_address(request),
            )
        except StaleEdit as stale:
            the_endpoint = stale.current
            data = form.data.copy()
            data["version"] = the_endpoint.version
            form = EndpointForm.for_endpoint(the_endpoint, data)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else saved this webhook since you opened it. It now sends to "
                    "%(url)s. Save again to replace that with your version."
                )
                % {"url": the_endpoint.url},
            )
            status = 409
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhooks:endpoint", the_endpoint.pk)
    if form.errors and status == 200:
        status = 422
    context = {
        "form": form,
        "team": the_endpoint.team,
        "endpoint": the_endpoint,
        "list_url": reverse("webhooks:endpoint", args=[the_endpoint.pk]),
    }
    return render(request, "webhooks/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    if request.method == "POST":
        list_url = _list_url(the_endpoint.team)
        services.endpoint_delete(
            endpoint=the_endpoint, actor=request.user, ip_address=client_address(request)
        )
        messages.success(request, _("Webhook removed: nothing more is sent to it."))
        return redirect(list_url)
    return render(request, "webhooks/delete.html", {"endpoint": the_endpoint})


def _act(request: HttpRequest, the_endpoint: Endpoint, action, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("webhooks:endpoint", the_endpoint.pk)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    return _act(
        request,
        the_endpoint,
        lambda: services.delivery_test(endpoint=the_endpoint),
        _("Test event on its way: it shows below in a moment."),
    )


@login_required
@require_POST
def endpoint_pause(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    return _act(
        request,
        the_endpoint,
        lambda: services.endpoint_pause(
            endpoint=the_endpoint, reason=_("Paused by %(name)s.") % {"name": request.user}
        ),
        _("Webhook paused: events wait until you resume it."),
    )


@login_required
@require_POST
def endpoint_resume(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    the_endpoint = access.get_endpoint_for_manager(request.user, endpoint_id)
    return _act(
        request,
        the_endpoint,
        lambda: services.endpoint_resume(endpoint=the_endpoint),
        _("Webhook resumed: the waiting events are on their way."),
    )


@login_required
@require_POST
def delivery_resend(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    the_endpoint, delivery = access.get_delivery_for_manager(request.user, endpoint_id, delivery_id)
    return _act(
        request,
        the_endpoint,
        lambda: services.delivery_resend(delivery=delivery),
        _("Sending it again."),
    )
