"""The API's JSON shapes (they make the OpenAPI schema). Numbers of key results are
decimal strings ("12.5"), so no value loses a digit on the way."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class Error(Schema):
    detail: str = Field(description="What went wrong, in words for a person.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Per field, what is wrong with it (422)."
    )


class Conflict(Error):
    key_result: "KeyResultOut"


class CycleOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    status: str


class KeyResultOut(Schema):
    id: int
    title: str
    kind: str
    start_value: Decimal
    target_value: Decimal
    current_value: Decimal
    unit: str
    progress: int = Field(description="Per cent of the way from start to target.")
    confidence: int | None
    version: int = Field(description="Send it back as `version` when recording a value.")
    updated_at: datetime


class ValueOut(Schema):
    id: int
    value: Decimal
    confidence: int | None
    comment: str
    author: str | None
    week: str = Field(description="The ISO week, e.g. 2026-W48.")
    recorded_at: datetime


class KeyResultWithHistory(KeyResultOut):
    history: list[ValueOut]


class SignalOut(Schema):
    kind: str = Field(description="missing | stalled | confidence_drop | overconfident")
    text: str
    key_result_id: int | None


class AlignedOut(Schema):
    team: str
    objective_id: int
    title: str
    progress: int


class CompanyKeyResultOut(KeyResultOut):
    aligned: list[AlignedOut]


class CompanyOkrOut(Schema):
    cycle: CycleOut
    objective_id: int | None
    title: str | None
    progress: int
    key_results: list[CompanyKeyResultOut]


class TeamOut(Schema):
    slug: str
    name: str
    member_count: int
    objective_id: int | None
    objective_title: str | None
    state: str | None
    progress: int


class TeamObjectiveOut(Schema):
    team: str
    cycle: CycleOut
    id: int
    title: str
    state: str
    version: int
    progress: int
    confidence: int | None = Field(description="The lowest confidence of its key results.")
    signals: list[SignalOut]
    key_results: list[KeyResultWithHistory]
    url: str


class EntryOut(Schema):
    key_result_id: int
    value: Decimal | None
    confidence: int | None
    comment: str


class CheckInOut(Schema):
    week: str
    state: str
    happened: str
    next_step: str
    expectation: str
    learn_by: str
    submitted_at: datetime | None
    submitted_by: str | None
    entries: list[EntryOut]


class ExperimentOut(Schema):
    id: int
    key_result_id: int
    key_result: str
    belief: str
    outcome: str
    signal: str
    status: str
    started_on: date | None
    ended_on: date | None
    result: str
    learning: str


class PageInfo(Schema):
    count: int
    page: int
    pages: int


class CyclePage(PageInfo):
    items: list[CycleOut]


class TeamPage(PageInfo):
    items: list[TeamOut]


class CheckInPage(PageInfo):
    items: list[CheckInOut]


class ExperimentPage(PageInfo):
    items: list[ExperimentOut]


class ValueIn(Schema):
    value: Decimal = Field(
        description="The key result's new value (up to 12 digits and 4 decimals).",
        allow_inf_nan=False,
        max_digits=16,
        decimal_places=4,
    )
    confidence: int | None = Field(None, ge=0, le=10, description="0 to 10, optional.")
    comment: str = Field("", max_length=500)
    version: int | None = Field(
        None,
        description=(
            "The key result's version you last read. When given and the key result was "
            "changed since, nothing is recorded and the answer is 409 with its current state."
        ),
    )


class ValueRecorded(Schema):
    value: ValueOut
    key_result: KeyResultOut


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    body: str
    author: str
    created_at: datetime


Conflict.model_rebuild()
