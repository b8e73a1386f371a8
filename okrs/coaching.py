"""The coach (`okrs.coach`) on the pages: drafts from saved key results or from a form
being typed, the findings a person dismissed (kept in the objective's history), and the
findings in words of the reader's language."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language, gettext, ngettext

from okrs.coach import OBJECTIVE, Finding, KeyResultDraft, ObjectiveDraft, check
from okrs.models import Comment, KeyResult, Objective, ObjectiveEvent

NEW = "new"  # the ref of a key result still being added


def key_result_draft(kr: KeyResult) -> KeyResultDraft:
    return KeyResultDraft(
        title=kr.title,
        kind=kr.kind,
        start=kr.start_value,
        target=kr.target_value,
        has_owner=kr.owner_id is not None,
        confidence=kr.confidence,
        ref=kr.pk,
        unit=kr.unit,
    )


def objective_draft(
    objective: Objective, key_results: Iterable[KeyResult], *, aligned_title: str = ""
) -> ObjectiveDraft:
    return ObjectiveDraft(
        title=objective.title,
        key_results=tuple(key_result_draft(kr) for kr in key_results),
        aligned_to=aligned_title,
    )


def dismissed_keys(objective_ids: Iterable[int]) -> dict[int, set[str]]:
    """The findings dismissed for each objective (one query)."""
    ids = list(objective_ids)
    dismissed: dict[int, set[str]] = defaultdict(set)
    if not ids:
        return dismissed
    for objective_id, changes in ObjectiveEvent.objects.filter(
        objective_id__in=ids, verb=ObjectiveEvent.Verb.COACH_DISMISSED
    ).values_list("objective_id", "changes"):
        key = (changes or {}).get("coach")
        if key:
            dismissed[objective_id].add(key)
    return dismissed


def open_findings(draft: ObjectiveDraft, dismissed: set[str]) -> list[Finding]:
    return [f for f in check(draft, language=get_language() or "en") if f.key not in dismissed]


def findings_counts(
    objectives: Iterable[Objective],
    aligned_titles: Mapping[int, str],
    dismissed: Mapping[int, set[str]] | None = None,
) -> dict[int, int]:
    """How many open findings each objective has, from its prefetched key results (with
    `owner_id`) and the titles of the company key results; one query for the dismissals
    unless they are given (`dismissed_keys`)."""
    objectives = list(objectives)
    if dismissed is None:
        dismissed = dismissed_keys(o.pk for o in objectives)
    return {
        o.pk: len(
            open_findings(
                objective_draft(
                    o,
                    o.key_results.all(),
                    aligned_title=aligned_titles.get(o.aligned_to_id, ""),
                ),
                dismissed.get(o.pk, set()),
            )
        )
        for o in objectives
    }


@dataclass(frozen=True)
class Shown:
    """A finding as a page shows it."""

    finding: Finding
    about: str  # the key result's title; "" for the objective

    @property
    def key(self) -> str:
        return self.finding.key

    @property
    def rule(self):
        return self.finding.rule

    @property
    def title(self) -> str:
        return gettext(self.rule.title)

    @property
    def why(self) -> str:
        return gettext(self.rule.why)

    @property
    def example(self) -> str:
        return gettext(self.rule.example)

    @property
    def words(self) -> str:
        return ", ".join(self.finding.words)

    @property
    def detail(self) -> str:
        return _detail(self.finding)

    @property
    def aspect_label(self) -> str:
        """The challenge aspect it speaks to (ambition, measurability, ...), if any."""
        aspect = self.rule.aspect
        return str(Comment.Aspect(aspect).label) if aspect else ""

    @property
    def challenge_text(self) -> str:
        """The finding as a leader's challenge to the team."""
        about = f"“{self.about}”: " if self.about else ""
        return f"{about}{self.title}. {self.why}"


def _detail(finding: Finding) -> str:
    detail, rule = finding.detail, finding.rule.id
    if rule == "stretch":
        return gettext("The target moves %(share)s %% from the start.") % detail
    if rule == "duplicate":
        return gettext("Much like “%(other)s”.") % detail
    if rule == "key_result_count":
        count = detail["count"]
        return ngettext("%(count)d key result", "%(count)d key results", count) % {"count": count}
    if rule == "objective_long":
        return gettext("%(words)d words.") % detail
    return ""


def shown(findings: Iterable[Finding], draft: ObjectiveDraft) -> list[Shown]:
    titles = {kr.ref: kr.title for kr in draft.key_results}
    return [Shown(f, titles.get(f.ref, "") if f.ref is not None else "") for f in findings]


def objective_findings(
    objective: Objective, key_results: list[KeyResult], *, aligned_title: str = ""
) -> list[Shown]:
    """An objective's open findings, for its page (one query, the dismissals)."""
    draft = objective_draft(objective, key_results, aligned_title=aligned_title)
    return shown(open_findings(draft, dismissed_keys([objective.pk])[objective.pk]), draft)


# --- a form being typed ---------------------------------------------------------------


# A key result's values hold 12 digits before the point (KeyResult.start_value): a
# number typed beyond that is no number the form would save (and 9e999999 overflowed the
# coach's arithmetic).
_VALUE_FIELD = KeyResult._meta.get_field("start_value")
VALUE_LIMIT = Decimal(10) ** (_VALUE_FIELD.max_digits - _VALUE_FIELD.decimal_places)


def _number(value: str | None) -> Decimal:
    try:
        number = Decimal((value or "").strip().replace(",", "."))
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() and abs(number) < VALUE_LIMIT else Decimal(0)


def _field(data: Mapping, prefix: str, name: str) -> str:
    return str(data.get(f"{prefix}-{name}" if prefix else name, ""))[:5000]


def typed_key_result(data: Mapping, prefix: str, ref) -> KeyResultDraft:
    return KeyResultDraft(
        title=_field(data, prefix, "title"),
        kind=_field(data, prefix, "kind") or "increase",
        start=_number(_field(data, prefix, "start_value")),
        target=_number(_field(data, prefix, "target_value")),
        has_owner=bool(_field(data, prefix, "owner")),
        ref=ref,
        unit=_field(data, prefix, "unit"),
    )


def form_findings(
    *,
    objective: Objective | None,
    part: str,
    data: Mapping | None = None,
    prefix: str = "",
    key_result: KeyResult | None = None,
) -> list[Shown]:
    """The findings beside a form: on the objective (`part` OBJECTIVE) or on one key
    result and the set of them (KEY_RESULT), from what is typed (`data`) or, without
    it, from what is saved. A new objective has only its title to go by."""
    saved = list(objective.key_results.all()) if objective is not None else []
    aligned = ""
    if objective is not None and objective.aligned_to_id:
        aligned = objective.aligned_to.title
    drafts = [key_result_draft(kr) for kr in saved]
    title = objective.title if objective is not None else ""
    ref = key_result.pk if key_result is not None else NEW
    if part == OBJECTIVE:
        if data is not None:
            title = _field(data, prefix, "title")
    elif data is not None:
        typed = typed_key_result(data, prefix, ref)
        drafts = [typed if d.ref == ref else d for d in drafts]
        if ref == NEW:
            drafts.append(typed)
    elif ref == NEW:
        return []  # nothing typed yet
    draft = ObjectiveDraft(title=title, key_results=tuple(drafts), aligned_to=aligned)
    dismissed = dismissed_keys([objective.pk])[objective.pk] if objective is not None else set()
    found = [f for f in open_findings(draft, dismissed) if _beside(f, part, ref)]
    return shown(found, draft)


# Rules on the objective's own words: beside its form, not beside a key result's.
_OBJECTIVE_TEXT_RULES = {"objective_number", "objective_long", "objective_keep"}


def _beside(finding: Finding, part: str, ref) -> bool:
    """Whether a finding shows beside this form."""
    if part == OBJECTIVE:
        return finding.rule.about == OBJECTIVE
    if finding.ref is not None:
        return finding.ref == ref
    return finding.rule.about == OBJECTIVE and finding.rule.id not in _OBJECTIVE_TEXT_RULES
