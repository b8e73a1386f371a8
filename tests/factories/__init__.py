"""Factories for every model the tests create, one module per app, all importable from
here: `from tests.factories import TeamFactory, CheckInFactory`.

Defaults match the models' own (a nullable author or helper team stays empty unless a
test names one), so `XFactory(a=..., b=...)` makes the row `X.objects.create(a=..., b=...)`
would, with whatever else the model requires filled in.
"""

from tests.factories.checkins import (
    CheckInEntryFactory,
    CheckInFactory,
    EmailOutboxFactory,
    ExperimentFactory,
    ObstacleFactory,
)
from tests.factories.okrs import (
    CommentFactory,
    CompanyObjectiveFactory,
    CycleFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    ObjectiveEventFactory,
    RetrospectiveFactory,
    TeamObjectiveFactory,
)
from tests.factories.teams import (
    PASSWORD,
    InvitationFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)
from tests.factories.webhooks import DeliveryFactory, EndpointFactory

__all__ = [
    "PASSWORD",
    "CheckInEntryFactory",
    "CheckInFactory",
    "CommentFactory",
    "CompanyObjectiveFactory",
    "CycleFactory",
    "DeliveryFactory",
    "EmailOutboxFactory",
    "EndpointFactory",
    "ExperimentFactory",
    "InvitationFactory",
    "KeyResultFactory",
    "KeyResultUpdateFactory",
    "MembershipFactory",
    "ObjectiveEventFactory",
    "ObstacleFactory",
    "RetrospectiveFactory",
    "TeamFactory",
    "TeamObjectiveFactory",
    "UserFactory",
]
