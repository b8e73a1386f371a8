"""Factories of the checkins app: check-ins and their lines, obstacles, experiments and
the rhythm emails' outbox."""

from datetime import timedelta

import factory
from django.utils import timezone

from checkins.models import CheckIn, CheckInEntry, Experiment, Obstacle
from teams.models import EmailOutbox
from tests.factories.okrs import KeyResultFactory, TeamObjectiveFactory
from tests.factories.teams import TeamFactory, UserFactory


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


class CheckInFactory(factory.django.DjangoModelFactory):
    """A draft check-in of this week, for the team's objective."""

    class Meta:
        model = CheckIn

    team = factory.SubFactory(TeamFactory)
    objective = factory.SubFactory(TeamObjectiveFactory, team=factory.SelfAttribute("..team"))
    week_start = factory.LazyFunction(this_monday)


class CheckInEntryFactory(factory.django.DjangoModelFactory):
    """A check-in's (empty) line for a key result of its objective."""

    class Meta:
        model = CheckInEntry

    checkin = factory.SubFactory(CheckInFactory)
    key_result = factory.SubFactory(
        KeyResultFactory, objective=factory.SelfAttribute("..checkin.objective")
    )


class ObstacleFactory(factory.django.DjangoModelFactory):
    """An open obstacle of a team, not in focus and asking no one for help."""

    class Meta:
        model = Obstacle

    team = factory.SubFactory(TeamFactory)
    description = factory.Sequence(lambda n: f"Obstacle {n}")


class ExperimentFactory(factory.django.DjangoModelFactory):
    """A planned experiment on a key result of the team's objective."""

    class Meta:
        model = Experiment

    team = factory.SubFactory(TeamFactory)
    key_result = factory.LazyAttribute(
        lambda o: KeyResultFactory(objective=TeamObjectiveFactory(team=o.team))
    )
    belief = factory.Sequence(lambda n: f"a checklist, version {n}")
    outcome = "more invoices"
    signal = "the count rises"


class EmailOutboxFactory(factory.django.DjangoModelFactory):
    """A pending reminder to one person about this week."""

    class Meta:
        model = EmailOutbox

    kind = EmailOutbox.Kind.REMINDER
    recipient = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    period = factory.LazyFunction(this_monday)
