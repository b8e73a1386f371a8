from datetime import date
from decimal import Decimal

import factory

from okrs.models import Cycle, KeyResult, Objective
from teams.models import Membership, Team, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    purpose = "Moves the company OKR."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


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
