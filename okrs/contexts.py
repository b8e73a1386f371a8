"""Template contexts shared by the pages that show an OKR (and by htmx fragments)."""

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from okrs import coaching, review_selectors, selectors
from okrs.charts import attach_charts
from okrs.forms import (
    ChallengeForm,
    CommentForm,
    DeclineForm,
    NewKeyResultForm,
    NewTeamKeyResultForm,
    NewTeamObjectiveForm,
    ReviewStartForm,
)
from okrs.models import MAX_KEY_RESULTS, Cycle, Objective
from teams.access import is_leader, is_team_member, speaks_for_team
from teams.models import Team

State = Objective.State
REVIEW_DAYS = 14  # the default length of a cycle's review


def may_edit_key_results(user, objective: Objective) -> bool:
    """Who may change an objective's key results (the workflow's state rules aside)."""
    if objective.is_company:
        return is_leader(user)
    return is_leader(user) or is_team_member(user, objective.team)


def company_okr_context(request: HttpRequest, cycle: Cycle, **extra) -> dict:
    okr = selectors.company_okr_get(cycle=cycle)
    attach_charts(okr.key_results, cycle)
    can_edit = is_leader(request.user) and cycle.is_open
    context = {
        "cycle": cycle,
        "okr": okr,
        "can_edit": can_edit,
        "can_record": can_edit and okr.objective is not None,
        "show_alignment": True,
    }
    if can_edit and okr.objective:
        context["okr_coach"] = coaching.objective_findings(okr.objective, okr.key_results)
    if can_edit and okr.objective and len(okr.key_results) < MAX_KEY_RESULTS:
        context["add_form"] = NewKeyResultForm(prefix="new")
        context["add_action"] = reverse("okrs:key-result-create", args=[okr.objective.pk])
    context.update(extra)
    return context


EARLY_REVIEW_DAYS = 14  # a review starting earlier before the cycle's end is warned of


def review_weeks_early(cycle: Cycle, today=None) -> int:
    """How many whole weeks before the cycle's last day a review starting today is, when
    that is more than two weeks (0 otherwise)."""
    days = (cycle.end_date - (today or timezone.localdate())).days
    return days // 7 if days > EARLY_REVIEW_DAYS else 0


def cycle_review_context(request: HttpRequest, cycle: Cycle) -> dict:
    """The end of a cycle on its page: how to start the review, the scores and learnings
    of a cycle that is over, and, while planning the next one, those of the last one."""
    context: dict = {}
    if cycle.status in (Cycle.Status.REVIEW, Cycle.Status.CLOSED):
        context["review_company"], context["review_teams"] = review_selectors.objectives_scored(
            cycle=cycle
        )
    elif not is_leader(request.user):
        return context
    if cycle.status == Cycle.Status.ACTIVE:
        context["review_start_form"] = ReviewStartForm(
            initial={"review_until": timezone.localdate() + timedelta(days=REVIEW_DAYS)}
        )
        context["review_weeks_early"] = review_weeks_early(cycle)
    elif cycle.status == Cycle.Status.PLANNING:
        previous = review_selectors.previous_cycle(cycle)
        if previous is not None:
            context["previous_cycle"] = previous
            context["previous_company"], context["previous_teams"] = (
                review_selectors.objectives_scored(cycle=previous)
            )
    return context


def team_okr_context(
    request: HttpRequest,
    team: Team,
    *,
    head: bool = True,
    discussion: bool = True,
    charts: bool = True,
    **extra,
) -> dict:
    """The team's OKR section; with `head` also what the page's head shows (members, the
    last cycle's objective). For a page built in parts (dashboard/team_page.py), what a
    part does not show can be left out: without `discussion` the comments, history and
    retrospective, without `charts` the key results' weekly values."""
    cycle = selectors.cycle_get_active()
    if cycle is None:
        # Between cycles the one in review stays on the page: the OKR under review, its
        # scores and the retrospective, frozen.
        cycle = selectors.cycle_get_in_review()
    okr = selectors.team_okr_get(team=team, cycle=cycle, people=head, discussion=discussion)
    if okr.objective is not None and charts:
        attach_charts(okr.key_results, cycle)
    user = request.user
    leader, member = is_leader(user), is_team_member(user, team)
    objective = okr.objective
    open_cycle = cycle is not None and cycle.is_open
    context = {
        "team": team,
        "cycle": cycle,
        "okr": okr,
        "is_member": member,
        "can_manage_members": speaks_for_team(user, team),
        "can_edit": False,
        "needs_reason": False,
        "show_editor": True,
        "in_review": cycle is not None and cycle.status == Cycle.Status.REVIEW,
    }
    if context["in_review"] and objective is not None:
        context["review_score"] = review_selectors.objective_score(okr.key_results)
        context["review_scored"] = sum(kr.score is not None for kr in okr.key_results)
        if discussion:
            context["retrospective"] = review_selectors.retrospective_of(objective)
    if objective is None:
        if open_cycle and speaks_for_team(user, team):
            context["objective_form"] = NewTeamObjectiveForm(cycle=cycle, prefix="objective")
            context["objective_action"] = reverse("okrs:team-objective-create", args=[team.slug])
            context["proposing"] = not leader
    elif open_cycle:
        state = objective.state
        if discussion:  # the coach's findings show in the OKR section only
            aligned = objective.aligned_to.title if objective.aligned_to_id else ""
            context["okr_coach"] = coaching.objective_findings(
                objective, okr.key_results, aligned_title=aligned
            )
        context["coach_can_dismiss"] = leader or member
        context["can_edit"] = (leader or member) and state in (
            State.DRAFT,
            State.CHALLENGED,
            State.COMMITTED,
        )
        context["needs_reason"] = state == State.COMMITTED
        context["can_record"] = (leader or member) and state == State.COMMITTED
        context["can_submit"] = member and state in (State.DRAFT, State.CHALLENGED)
        context["can_review"] = leader and state == State.SUBMITTED
        context["can_accept"] = leader and state == State.PROPOSED
        context["can_reword"] = leader and state != State.PROPOSED
        context["can_comment"] = leader or member
        if context["can_edit"] and len(okr.key_results) < MAX_KEY_RESULTS:
            context["add_form"] = NewTeamKeyResultForm(prefix="new", team=team)
            context["add_action"] = reverse("okrs:key-result-create", args=[objective.pk])
        if context["can_review"]:
            context["challenge_form"] = ChallengeForm(prefix="challenge")
        if context["can_accept"]:
            context["decline_form"] = DeclineForm(prefix="decline")
        if context["can_comment"]:
            context["comment_form"] = CommentForm(prefix="comment")
    finished = review_selectors.team_finished_objective(team) if head else None
    if finished is not None:
        context["finished_objective"] = finished
        context["can_carry_forward"] = (
            objective is None
            and open_cycle
            and cycle.start_date >= finished.cycle.start_date
            and speaks_for_team(user, team)
        )
    context.update(extra)
    return context
