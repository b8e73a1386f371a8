"""Factories of the okrs app: cycles, objectives, key results and what happens to them."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from okrs.models import (
    Comment,
    Cycle,
    KeyResult,
    KeyResultUpdate,
    Objective,
    ObjectiveEvent,
    Retrospective,
)
from tests.factories.teams import TeamFactory


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Q{n % 4 + 1} {2026 + n // 4}")
    start_date = date(2026, 10, 1)
    end_date = date(2026, 12, 31)
    status = Cycle.Status.PLANNING


class CompanyObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    cycle = factory.SubFactory(CycleFactory)
    level = Objective.Level.COMPANY
    title = "Become the invoicing tool small businesses recommend"
    context = "Referrals bring the customers who stay."
    state = Objective.State.COMMITTED


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    objective = factory.SubFactory(CompanyObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    kind = KeyResult.Kind.INCREASE
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = Decimal(25)
    unit = "%"
    position = factory.Sequence(lambda n: n + 1)


class TeamObjectiveFactory(factory.django.DjangoModelFactory):
    """A team objective aligned to a key result of its cycle's company objective."""

    class Meta:
        model = Objective

    cycle = factory.SubFactory(CycleFactory, status=Cycle.Status.ACTIVE)
    level = Objective.Level.TEAM
    team = factory.SubFactory(TeamFactory)
    title = "New accounts send their first invoice on day one"
    context = "Onboarding is where referrals are won or lost."
    state = Objective.State.DRAFT
    aligned_to = factory.LazyAttribute(
        lambda o: KeyResultFactory(
            objective=Objective.objects.filter(cycle=o.cycle, level="company").first()
            or CompanyObjectiveFactory(cycle=o.cycle)
        )
    )


class KeyResultUpdateFactory(factory.django.DjangoModelFactory):
    """A recorded value (the key result's current one unless given) for this week."""

    class Meta:
        model = KeyResultUpdate

    key_result = factory.SubFactory(KeyResultFactory)
    value = factory.LazyAttribute(lambda o: o.key_result.current_value)
    week_start = factory.LazyFunction(
        lambda: timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    )


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a team objective, without an author unless given."""

    class Meta:
        model = Comment

    objective = factory.SubFactory(TeamObjectiveFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")


class ObjectiveEventFactory(factory.django.DjangoModelFactory):
    """A line of an objective's history, without an actor unless given."""

    class Meta:
        model = ObjectiveEvent

    objective = factory.SubFactory(TeamObjectiveFactory)
    verb = ObjectiveEvent.Verb.DEFINED


class RetrospectiveFactory(factory.django.DjangoModelFactory):
    """An objective's retrospective, empty unless its texts are given."""

    class Meta:
        model = Retrospective

    objective = factory.SubFactory(TeamObjectiveFactory, state=Objective.State.COMMITTED)
