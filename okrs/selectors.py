"""Reads for cycles and OKRs, each with its queries planned."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from okrs.models import Cycle, KeyResult, Objective
from okrs.progress import objective_progress


@dataclass
class CompanyOkr:
    cycle: Cycle
    objective: Objective | None
    key_results: list[KeyResult] = field(default_factory=list)

    @property
    def progress(self) -> int:
        return objective_progress(kr.progress for kr in self.key_results)


def cycle_get_active() -> Cycle | None:
    return Cycle.objects.filter(status=Cycle.Status.ACTIVE).first()


def cycle_list() -> QuerySet[Cycle]:
    return Cycle.objects.all()


def company_okr_get(*, cycle: Cycle) -> CompanyOkr:
    """The company objective of a cycle with its key results in order (two queries)."""
    key_results = KeyResult.objects.select_related("owner").order_by("position", "id")
    objective = (
        Objective.objects.filter(cycle=cycle, level=Objective.Level.COMPANY)
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .first()
    )
    if objective is None:
        return CompanyOkr(cycle=cycle, objective=None)
    objective.cycle = cycle
    return CompanyOkr(
        cycle=cycle, objective=objective, key_results=list(objective.key_results.all())
    )
