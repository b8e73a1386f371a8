"""The weekly check-in page, its autosave and submission; unsubscribing from emails."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checkins import access, sections, selectors, services
from checkins.forms import ObstacleForm
from checkins.models import CheckIn
from core.htmx import CONFLICT, UNPROCESSABLE, is_fragment_request
from core.http import error_text
from okrs import selectors as okr_selectors
from okrs.models import Cycle
from okrs.weeks import iso_week_label, parse_iso_week
from teams import access as team_access
from teams.models import Team

PAGE = "checkins/checkin.html"


def _parse_week(label: str) -> date:
    try:
        return parse_iso_week(label)
    except ValueError as error:
        raise Http404(str(error)) from None


def _checkin_url(team: Team, week: date) -> str:
    return reverse("checkins:week", args=[team.slug, iso_week_label(week)])


def _unavailable(request: HttpRequest, team: Team, week: date, error: ValidationError):
    return render(
        request,
        "checkins/unavailable.html",
        {"team": team, "week_label": iso_week_label(week), "reason": error_text(error)},
        status=400,
    )


@login_required
@require_GET
def team_section(request: HttpRequest, slug: str) -> HttpResponse:
    """The weekly check-in's part of the team page, alone: the page asks for it again
    after its OKR changed in place."""
    team = team_access.get_team(slug)
    okr = okr_selectors.team_okr_get(team=team, cycle=okr_selectors.cycle_get_active())
    section = sections.team_section(request=request, team=team, okr=okr)
    response = render(request, "checkins/team_section.html", {"section": section})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def checkin_current(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_access.get_team(slug)
    return redirect(_checkin_url(team, services.this_week()))


def _read_only_reason(member: bool, team: Team, checkin, week: date, cycle: Cycle) -> str:
    """Why this viewer cannot change the check-in ("" when they can): the cycle's status
    first, as it holds for everyone, then the week, then who fills it in."""
    if cycle.status == Cycle.Status.REVIEW:
        return _(
            "%(cycle)s is in review: its check-ins are kept as they were, read-only. "
            "Score the key results and write the retrospective instead."
        ) % {"cycle": cycle.name}
    if cycle.status != Cycle.Status.ACTIVE:
        return _("%(cycle)s is closed: its check-ins are kept as they were, read-only.") % {
            "cycle": cycle.name
        }
    if not services.is_editable(checkin, week=week, cycle=cycle):
        return _("That week is over: its check-in is kept as submitted.")
    if not member:
        return _("Only %(team)s's members fill in this check-in; you can read it.") % {
            "team": team.name
        }
    return ""


def page_context(request, team: Team, week: date, objective, **extra) -> dict:
    """What the check-in page shows (`extra` replaces any of it, e.g. a bound form)."""
    page = selectors.checkin_page(team=team, objective=objective, week=week)
    read_only = _read_only_reason(
        access.may_fill_in(request.user, team), team, page.checkin, week, objective.cycle
    )
    return {
        "team": team,
        "page": page,
        "cycle": objective.cycle,
        "week_label": iso_week_label(week),
        "can_edit": not read_only,
        "read_only": read_only,
        "save_url": reverse("checkins:save", args=[team.slug, iso_week_label(week)]),
        "obstacle_form": ObstacleForm(team=team, prefix="obstacle"),
        **extra,
    }


@login_required
@require_GET
def checkin_week(request: HttpRequest, slug: str, week: str) -> HttpResponse:
    """The team's PDCA check-in for one ISO week: everyone reads, the team writes."""
    team = team_access.get_team(slug)
    monday = _parse_week(week)
    try:
        objective = services.checkin_objective(team=team, week=monday)
    except ValidationError as error:
        existing = (
            CheckIn.objects.filter(team=team, week_start=monday)
            .select_related("objective__cycle")
            .first()
        )
        if existing is None:
            return _unavailable(request, team, monday, error)
        objective = existing.objective
    return render(request, PAGE, page_context(request, team, monday, objective))


def _saved(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    """The autosave answer: out-of-band updates of the field's base, status and conflict."""
    return render(request, "checkins/checkin.html#saved", context, status=status)


@login_required
@require_POST
def checkin_save(request: HttpRequest, slug: str, week: str) -> HttpResponse:
    """Autosave one field (htmx), or every field of the form (without JavaScript)."""
    team = access.get_team_for_checkin(request.user, slug)
    monday = _parse_week(week)
    try:
        checkin = services.checkin_get_or_create(team=team, week=monday, author=request.user)
    except ValidationError as error:
        if is_fragment_request(request):
            return HttpResponse(error_text(error), status=UNPROCESSABLE)
        return _unavailable(request, team, monday, error)

    field = request.POST.get("field")
    if field:
        value = request.POST.get(field, "")
        base = request.POST.get(f"{field}__base", "")
        if request.POST.get("overwrite") == "1":
            base = request.POST.get("stored", base)
        try:
            saved = services.checkin_save_field(
                checkin=checkin, field=field, value=value, base=base, author=request.user
            )
        except services.FieldConflict as conflict:
            return _saved(request, status=CONFLICT, field=field, current=conflict.current)
        except ValidationError as error:
            return _saved(request, status=UNPROCESSABLE, field=field, error=error_text(error))
        return _saved(request, field=field, value=saved.value, draft=not checkin.is_submitted)

    # Without JavaScript: the whole form at once, each field against its own base.
    if _save_posted_fields(request, checkin):
        messages.success(request, _("Check-in saved."))
    return redirect(_checkin_url(team, monday))


def _save_posted_fields(request: HttpRequest, checkin: CheckIn) -> bool:
    """Save the fields of the whole check-in form (posted without JavaScript, or with the
    submit), each against its own base; say what was not saved. A field the editor left
    as it was loaded is not theirs to save: it is skipped, so a teammate's newer text in
    it is no conflict."""
    conflicts, errors = [], []
    for name in _posted_fields(request, checkin):
        value, base = request.POST.get(name, ""), request.POST.get(f"{name}__base", "")
        if f"{name}__base" in request.POST and services.same_text(value, base):
            continue
        try:
            services.checkin_save_field(
                checkin=checkin, field=name, value=value, base=base, author=request.user
            )
        except services.FieldConflict:
            conflicts.append(name)
        except ValidationError as error:
            errors.append(error_text(error))
    if conflicts:
        messages.warning(
            request,
            _(
                "Someone else changed some of these fields while you wrote: their text is shown; "
                "yours was not saved for those fields."
            ),
        )
    for error in errors:
        messages.error(request, error)
    return not conflicts and not errors


def _posted_fields(request: HttpRequest, checkin: CheckIn) -> list[str]:
    names = [f for f in CheckIn.TEXT_FIELDS if f in request.POST]
    for entry in checkin.entries.all():
        for attribute in services.ENTRY_FIELDS:
            name = f"entry-{entry.key_result_id}-{attribute}"
            if name in request.POST:
                names.append(name)
    return names


@login_required
@require_POST
def checkin_submit(request: HttpRequest, slug: str, week: str) -> HttpResponse:
    """Submit the week's check-in with the fields the form carries: whatever was typed
    just before the click is saved first (and nothing is submitted if it was not)."""
    team = access.get_team_for_checkin(request.user, slug)
    monday = _parse_week(week)
    checkin = CheckIn.objects.filter(team=team, week_start=monday).first()
    if checkin is None and _posted_fields_of_form(request):
        try:
            checkin = services.checkin_get_or_create(team=team, week=monday, author=request.user)
        except ValidationError as error:
            return _unavailable(request, team, monday, error)
    if checkin is None:
        messages.error(request, _("Fill in the check-in before submitting it."))
        return redirect(_checkin_url(team, monday))
    if not _save_posted_fields(request, checkin):
        messages.error(request, _("Nothing was submitted: check the fields, then submit again."))
        return redirect(_checkin_url(team, monday))
    try:
        services.checkin_submit(checkin=checkin, author=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Check-in submitted. You can still correct it this week; changes are kept.")
        )
    return redirect(_checkin_url(team, monday))


def _posted_fields_of_form(request: HttpRequest) -> bool:
    """Whether the post carries the check-in form's fields (the submit button's form)."""
    return any(name in CheckIn.TEXT_FIELDS or name.startswith("entry-") for name in request.POST)


@csrf_exempt  # the signed token is the proof; mail clients POST without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click (RFC 8058 POST, or the button on this page) stops one kind of email.

    GET only asks, so link scanners that follow links change nothing."""
    from django.core import signing

    from checkins.emails import PREFERENCE, read_unsubscribe_token
    from teams.models import User

    try:
        user, kind = read_unsubscribe_token(token)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        return render(request, "checkins/unsubscribe.html", {"invalid": True}, status=404)
    labels = {
        "reminder": _("check-in reminders"),
        "nudge": _("nudges about missed check-ins"),
        "digest": _("the weekly digest"),
        "comment": _("comment and challenge emails"),
    }
    done = False
    if request.method == "POST":
        User.objects.filter(pk=user.pk).update(**{PREFERENCE[kind]: False})
        done = True
    return render(
        request,
        "checkins/unsubscribe.html",
        {"label": labels[kind], "email": user.email, "done": done},
    )
