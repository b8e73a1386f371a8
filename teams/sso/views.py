"""The sign-in page with its single sign-on button, the flow's two ends (start and the
provider's callback), signing out (here and at the provider) and the leaders' policy."""

import logging

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from joserfc.errors import JoseError
from requests import RequestException

from core.client_ip import client_ip
from core.htmx import UNPROCESSABLE
from teams import access
from teams.models import SignInPolicy
from teams.sso import client as oidc
from teams.sso import policy
from teams.sso.forms import PolicyAwareAuthenticationForm, SignInPolicyForm
from teams.sso.services import (
    SsoClaims,
    SsoRefused,
    sign_in_policy_set,
    sso_refusal_record,
    sso_sign_in,
)

logger = logging.getLogger(__name__)

NEXT_KEY = "sso_next"
ID_TOKEN_KEY = "sso_id_token"


def _sso_button() -> dict:
    """Whether a single sign-on button shows, and its words."""
    enabled = oidc.enabled()
    return {"sso_enabled": enabled, "sso_label": oidc.button_label() if enabled else ""}


def sso_context(request: HttpRequest) -> dict:
    required = policy.sso_required()
    return {
        **_sso_button(),
        "sso_required": required,
        # Break-glass: the password form stays reachable for the admin addresses.
        "show_password_form": not required or request.GET.get("password") == "1",
    }


class SignInView(auth_views.LoginView):
    """Django's sign-in page, with the single sign-on button when it is configured and
    without the password form when leaders require single sign-on."""

    authentication_form = PolicyAwareAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(sso_context(self.request))
        if self.request.method == "POST":
            context["show_password_form"] = True
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out here and, after a single sign-on, at the provider too when its metadata
    names an end_session_endpoint (RP-initiated logout)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_KEY)
        response = super().post(request, *args, **kwargs)
        if not id_token or not oidc.enabled():
            return response
        try:
            url = oidc.end_session_url(
                id_token=id_token,
                post_logout_redirect_uri=settings.SITE_URL + reverse("login"),
            )
        except (RequestException, ValueError) as error:
            logger.warning("The provider's metadata could not be read to sign out: %s", error)
            return response
        return HttpResponseRedirect(url) if url else response


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    """Off to the provider: Authlib keeps state, nonce and the PKCE verifier in the
    session and sends the code challenge."""
    if not oidc.enabled():
        return _off(request)
    wanted = request.GET.get("next")
    if wanted and _safe_next(request, wanted) == wanted:
        request.session[NEXT_KEY] = wanted
    else:
        request.session.pop(NEXT_KEY, None)
    # From SITE_URL, not the request's host: the provider knows this one address.
    redirect_uri = settings.SITE_URL + reverse("sso-callback")
    try:
        return oidc.client().authorize_redirect(request, redirect_uri)
    except (RequestException, ValueError, KeyError) as error:
        logger.error("The identity provider's discovery failed: %s", error)
        return _refused(request, "unreachable", status=502)


def _off(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Single sign-on is not set up here: sign in with your password."))
    return redirect("login")


def _refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "registration/sso_refused.html",
        {"reason": reason, "contact": settings.OIDC_ACCESS_CONTACT},
        status=status,
    )


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: check state, exchange the code (with the PKCE verifier),
    verify the ID token, then sign in whoever the services say."""
    if not oidc.enabled():
        return _off(request)
    address = client_ip(request)
    try:
        token = oidc.client().authorize_access_token(
            request, claims_options=oidc.claims_options(), leeway=60
        )
        if not token.get("userinfo"):
            raise OAuthError(error="missing_id_token", description="no ID token in the answer")
    except (OAuthError, JoseError, RequestException, RuntimeError, ValueError, KeyError) as error:
        detail = f"{type(error).__name__}: {error}"[:250]
        logger.warning("Single sign-on refused a token: %s", detail)
        sso_refusal_record(reason="bad_token", detail=detail, ip_address=address)
        return _refused(request, "bad_token")
    claims = SsoClaims.from_id_token(oidc.issuer(), dict(token["userinfo"]))
    try:
        outcome = sso_sign_in(claims=claims, ip_address=address)
    except SsoRefused as refused:
        return _refused(request, refused.reason)
    next_url = request.session.pop(NEXT_KEY, None)
    login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[ID_TOKEN_KEY] = token.get("id_token", "")
    if outcome.teams:
        names = ", ".join(team.name for team in outcome.teams)
        messages.success(request, _("Welcome! You are in %(teams)s now.") % {"teams": names})
        if len(outcome.teams) == 1 and not next_url:
            return redirect("dashboard:team-detail", outcome.teams[0].slug)
    elif outcome.linked:
        messages.success(
            request,
            _("Your company account now signs you in to %(email)s.")
            % {"email": outcome.user.email},
        )
    return redirect(_safe_next(request, next_url))


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_policy(request: HttpRequest) -> HttpResponse:
    """Leaders require single sign-on for everyone, or open the password form again."""
    access.require_leader(request.user, _("Only leaders change how people sign in."))
    current = SignInPolicy.objects.filter(pk=SignInPolicy.ID).first()
    form = SignInPolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"sso_required": bool(current and current.sso_required)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_policy_set(
                sso_required=form.cleaned_data["sso_required"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("sso_required", error)
        else:
            messages.success(request, _("Sign-in settings saved."))
            return redirect("teams:sign-in-policy")
    return render(
        request,
        "teams/sign_in_policy.html",
        {
            "form": form,
            **_sso_button(),
            "break_glass": settings.SSO_BREAK_GLASS_EMAILS,
            "policy": current,
        },
        status=UNPROCESSABLE if form.errors else 200,
    )
