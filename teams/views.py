"""Teams and their members: leaders create teams, leaders and team leads manage people."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_from_request, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.client_ip import client_ip
from core.forms import add_errors
from core.htmx import UNPROCESSABLE
from core.http import error_text
from core.ratelimit import rate_limited
from teams import access, services
from teams.forms import (
    AcceptInvitationForm,
    InvitationForm,
    ProfileForm,
    RoleForm,
    ScheduleForm,
    TeamForm,
)
from teams.invitations import InvitationInvalid, invitation_from_token
from teams.models import AuditEvent, Membership, Team
from teams.sso.client import button_label
from teams.sso.policy import password_allowed


def _team_page(team: Team) -> str:
    return reverse("dashboard:team-detail", args=[team.slug])


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    access.require_leader(request.user, _("Only leaders create teams."))
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(team)s is created. Invite its team lead next.") % {"team": team.name}
            )
            return redirect("teams:members", slug=team.slug)
    return render(
        request,
        "teams/team_form.html",
        {"form": form},
        status=UNPROCESSABLE if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_leader(request.user, slug, _("Only leaders rename teams."))
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_update(team=team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect(_team_page(team))
    return render(
        request,
        "teams/team_form.html",
        {"form": form, "team": team},
        status=UNPROCESSABLE if form.errors else 200,
    )


INVITATIONS_LIMITED = gettext_lazy(
    "Too many invitations in a short time, from here or to this address: nothing was sent. "
    "Try again in an hour (for the same address, tomorrow)."
)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's people, and inviting more (leaders and the team's leads)."""
    team = access.get_team_for_manager(request.user, slug)
    # A team without a lead yet invites its lead first ("Invite its team lead next").
    has_lead = team.memberships.filter(role=Membership.Role.LEAD).exists()
    form = InvitationForm(
        request.POST or None, initial={"role": Membership.Role.MEMBER if has_lead else "lead"}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        if rate_limited(invitation_address=client_ip(request), invitation_email=email):
            form.add_error(None, INVITATIONS_LIMITED)
            status = 429
        else:
            try:
                outcome = services.invitation_create(
                    team=team,
                    email=email,
                    role=role,
                    invited_by=request.user,
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                if outcome.added_existing_account:
                    messages.success(
                        request,
                        _("%(email)s already had an account and is now in %(team)s.")
                        % {"email": email, "team": team},
                    )
                else:
                    messages.success(
                        request,
                        _("Invitation sent to %(email)s. The link works for 7 days.")
                        % {"email": email},
                    )
                return redirect("teams:members", slug=team.slug)
    if form.errors and status == 200:
        status = UNPROCESSABLE
    memberships = team.memberships.select_related("user").order_by("role", "user__name")
    pending = team.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(
        request,
        "teams/members.html",
        {
            "team": team,
            "memberships": memberships,
            "pending": [i for i in pending if not i.is_expired],
            "form": form,
            "team_url": _team_page(team),
        },
        status=status,
    )


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team, membership = access.get_membership_for_manager(request.user, slug, membership_id)
    try:
        services.membership_remove(
            membership=membership, actor=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(person)s is no longer in %(team)s.") % {"person": membership.user, "team": team},
        )
    return redirect("teams:members", slug=team.slug)


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    team, membership = access.get_membership_for_manager(request.user, slug, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose team lead or member."))
        return redirect("teams:members", slug=team.slug)
    try:
        services.membership_set_role(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display()},
        )
    return redirect("teams:members", slug=team.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: set name and password, land on the team page."""
    try:
        invitation = invitation_from_token(token)
    except InvitationInvalid as invalid:
        return render(
            request,
            "teams/invitation_invalid.html",
            {"reason": invalid.reason, "invitation": invalid.invitation},
            status=410 if invalid.reason in ("used", "expired") else 404,
        )
    # An address with an account joins with one click and signs in with its own password:
    # the link alone never signs anyone in to an existing account.
    existing = services.invitation_account(invitation)
    if existing is None and not password_allowed(invitation.email):
        # Leaders require single sign-on: the invitee's first sign-in there honours it.
        return render(
            request,
            "teams/invitation_accept.html",
            {"invitation": invitation, "sso_only": True, "sso_label": button_label()},
            status=200 if request.method == "GET" else 403,
        )
    form = None if existing else AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form else {}
        try:
            user, created = services.invitation_accept(
                token=token, name=data.get("name", ""), password=data.get("password", "")
            )
        except InvitationInvalid as invalid:
            status = 410 if invalid.reason == "used" else 404
            return render(
                request, "teams/invitation_invalid.html", {"reason": invalid.reason}, status=status
            )
        except ValidationError as error:
            add_errors(form, error, field="password")
        else:
            if not created and request.user != user:
                messages.success(
                    request,
                    _("You are in %(team)s now. Sign in as %(email)s to open it.")
                    % {"team": invitation.team, "email": user.email},
                )
                return redirect_to_login(_team_page(invitation.team))
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(team)s!") % {"team": invitation.team})
            return redirect(_team_page(invitation.team))
    return render(
        request,
        "teams/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
        status=UNPROCESSABLE if form and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    """Each person's name, time zone and email preferences."""
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "name": user.name,
            "time_zone": user.time_zone,
            "language": user.language,
            **{field: getattr(user, field) for field in services.PREFERENCE_FIELDS},
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                user=user,
                name=data["name"],
                time_zone=data["time_zone"],
                language=data["language"],
                preferences=data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The page that says so is already in the new language.
            translation.activate(user.language or get_language_from_request(request))
            messages.success(request, _("Settings saved."))
            return redirect("teams:settings")
    return render(
        request,
        "teams/settings.html",
        {"form": form},
        status=UNPROCESSABLE if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's check-in weekday, time and time zone (team leads and leaders)."""
    team = access.get_team_for_manager(request.user, slug)
    form = ScheduleForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_schedule_update(
                team=team,
                weekday=data["checkin_weekday"],
                at=data["checkin_time"],
                time_zone=data["time_zone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Check-in schedule saved."))
            return redirect(_team_page(team))
    return render(
        request,
        "teams/schedule.html",
        {"form": form, "team": team},
        status=UNPROCESSABLE if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def audit_log(request: HttpRequest) -> HttpResponse:
    """Sign-ins, invitations, role changes, commits, challenges and closes (leaders)."""
    access.require_leader(request.user, _("Only leaders read the audit log."))
    events = AuditEvent.objects.select_related("actor")[:200]
    return render(request, "teams/audit_log.html", {"events": events})
