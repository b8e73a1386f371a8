"""The coach's rules: what it looks for in an objective and its key results, and why.

Pure Python (no Django): the same rules run as people type, when a form is saved, in the
leaders' review and on the dashboard, and in a benchmark. Every rule, threshold and
text lives here; the word lists per language live in `okrs.coach.words`.

Texts are English and marked with `gettext_noop` so that `makemessages` finds them; the
pages translate them when they show a finding (`okrs.coaching`).
"""

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from okrs.coach.words import Words, words_for

HINT, WARNING = "hint", "warning"
OBJECTIVE, KEY_RESULT = "objective", "key_result"
MILESTONE, INCREASE, DECREASE = "milestone", "increase", "decrease"


def gettext_noop(message: str) -> str:
    """Marks a text for translation (`makemessages` reads this name); translated when shown."""
    return message


@dataclass(frozen=True)
class Thresholds:
    """Where the rules draw their lines (one place, for a company to tune)."""

    min_key_results: int = 2
    # The app refuses a sixth key result (okrs.models.MAX_KEY_RESULTS); a test keeps
    # the two in line.
    max_key_results: int = 5
    # A target that moves less than this share of its baseline is no stretch.
    min_stretch: Decimal = Decimal("0.10")
    # An average confidence at or above this, before the work starts, is sandbagging.
    sandbagging_confidence: Decimal = Decimal(9)
    # Every key result at or below this: a target nobody believes in.
    low_confidence: int = 2
    # Two titles sharing this share of their words say the same thing.
    duplicate_similarity: float = 0.75
    max_objective_words: int = 25


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Rule:
    id: str
    about: str  # OBJECTIVE or KEY_RESULT: what a finding points at
    severity: str  # HINT or WARNING
    title: str  # the finding in a few words
    why: str  # why it matters, in one sentence
    example: str  # a better way to write it
    poor: str  # an example that the rule finds (for the help page)
    aspect: str | None  # the challenge aspect it speaks to (okrs.models.Comment.Aspect)


def _rule(*args) -> Rule:
    return Rule(*args)


N_ = gettext_noop
NO_NUMBER = _rule(
    "no_number", KEY_RESULT, WARNING,
    N_("No number to reach"),
    N_("Without a start and a target nobody can tell how close the team is."),
    N_("Share of invoices paid within 30 days from 62 % to 80 %"),
    N_("Customers pay their invoices faster"),
    "measurability",
)  # fmt: skip
NO_BASELINE = _rule(
    "no_baseline", KEY_RESULT, WARNING,
    N_("The target is where it starts"),
    N_("A key result says “from X to Y”: a baseline equal to the target leaves nothing to move."),
    N_("First response time in the help desk from 8 hours to 2 hours"),
    N_("First response time 2 hours (from 2 hours)"),
    "measurability",
)  # fmt: skip
ACTIVITY = _rule(
    "activity", KEY_RESULT, WARNING,
    N_("An activity, not an outcome"),
    N_("A deliverable can be done while nothing changes: measure the change in someone's "
       "behaviour it should cause."),
    N_("Share of new customers who send their first invoice in week one from 35 % to 60 %"),
    N_("Launch the new onboarding flow"),
    "outcome",
)  # fmt: skip
ALL_MILESTONES = _rule(
    "all_milestones", OBJECTIVE, WARNING,
    N_("Every key result is a milestone"),
    N_("Milestones say the work was done, not that it made a difference: measure at least "
       "one outcome."),
    N_("Keep the milestone “Pilot live in two municipalities” and add “Permit decisions "
       "within 8 weeks from 40 % to 75 %”"),
    N_("Pilot live (milestone) · Training given (milestone)"),
    "outcome",
)  # fmt: skip
KEY_RESULT_COUNT = _rule(
    "key_result_count", OBJECTIVE, HINT,
    N_("Two to five key results"),
    N_("One key result is easy to game and more than five lose focus: two to five tell "
       "the story from several sides."),
    N_("Trial-to-paid conversion from 8 % to 12 % · Churn in the first 90 days from 9 % to 5 %"),
    N_("Trial-to-paid conversion from 8 % to 12 % (alone)"),
    "measurability",
)  # fmt: skip
OBJECTIVE_NUMBER = _rule(
    "objective_number", OBJECTIVE, HINT,
    N_("Numbers in the objective"),
    N_("The objective says where to go and why it matters; the numbers belong in its key "
       "results."),
    N_("Make paying an invoice effortless for our customers"),
    # xgettext:no-python-format
    N_("Reach 95 % on-time payments"),
    "measurability",
)  # fmt: skip
OBJECTIVE_LONG = _rule(
    "objective_long", OBJECTIVE, HINT,
    N_("Longer than a sentence"),
    N_("An objective people remember fits in one short sentence; the reasons go in “why "
       "this, why now”."),
    N_("Become the easiest place in the region to start a business"),
    N_("Improve permits. Citizens wait too long and complain, so we need to do better."),
    None,
)  # fmt: skip
OBJECTIVE_KEEP = _rule(
    "objective_keep", OBJECTIVE, WARNING,
    N_("Keeping things as they are"),
    N_("An objective is a change worth a cycle's focus; keeping a level is business as "
       "usual, watched as a health metric."),
    N_("Win back the trust of customers who left us last year"),
    N_("Maintain our customer satisfaction"),
    "ambition",
)  # fmt: skip
STRETCH = _rule(
    "stretch", KEY_RESULT, HINT,
    N_("Little stretch"),
    N_("A target within reach of business as usual teaches nothing: aim where you are "
       "about half sure to get."),
    N_("Qualified leads per month from 120 to 180"),
    N_("Qualified leads per month from 120 to 125"),
    "ambition",
)  # fmt: skip
SANDBAGGING = _rule(
    "sandbagging", OBJECTIVE, HINT,
    N_("Everyone is already sure"),
    N_("An average confidence of 9 or 10 before the work starts means the targets are "
       "safe bets, not stretch goals."),
    N_("Raise the targets until the team's confidence is around 5 to 7 out of 10"),
    N_("Confidence 10, 9 and 10 at commit"),
    "ambition",
)  # fmt: skip
LOW_CONFIDENCE = _rule(
    "low_confidence", OBJECTIVE, WARNING,
    N_("Nobody believes in the targets"),
    N_("Confidence of 2 or less on every key result means the team does not believe in "
       "them: talk about what would make them reachable."),
    N_("Agree on targets the team rates around 5 out of 10"),
    N_("Confidence 1, 2 and 1 at commit"),
    "ambition",
)  # fmt: skip
DUPLICATE = _rule(
    "duplicate", KEY_RESULT, WARNING,
    N_("Measures the same as another key result"),
    N_("Two key results that measure one thing count it twice and leave a side of the "
       "objective unmeasured."),
    N_("Active users per week from 2,000 to 3,000 · Users still active after 90 days from "
       "40 % to 55 %"),
    N_("Weekly active users from 2,000 to 3,000 · Active users weekly to 3,000"),
    "measurability",
)  # fmt: skip
REPEATS_COMPANY = _rule(
    "repeats_company", KEY_RESULT, WARNING,
    N_("Repeats the company key result"),
    N_("A team key result says what this team changes to move the company key result, "
       "not the company key result again."),
    N_("Company: net revenue retention to 110 %; team: accounts using two or more modules "
       "from 20 % to 35 %"),
    N_("Company: net revenue retention to 110 %; team: net revenue retention to 110 %"),
    "alignment",
)  # fmt: skip
NO_OWNER = _rule(
    "no_owner", KEY_RESULT, HINT,
    N_("No owner"),
    N_("A key result without an owner is everyone's and no one's: one person keeps an "
       "eye on it and updates it."),
    N_("Owner: Sam, who updates it before each check-in"),
    N_("Owner: nobody"),
    None,
)  # fmt: skip
del N_

RULES: tuple[Rule, ...] = (
    OBJECTIVE_NUMBER, OBJECTIVE_LONG, OBJECTIVE_KEEP, KEY_RESULT_COUNT, ALL_MILESTONES,
    SANDBAGGING, LOW_CONFIDENCE, NO_NUMBER, NO_BASELINE, ACTIVITY, STRETCH, DUPLICATE,
    REPEATS_COMPANY, NO_OWNER,
)  # fmt: skip
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True)
class KeyResultDraft:
    """A key result as written (saved or still in a form). `ref` names it for findings
    and dismissals (the key result's id, or None while it is new)."""

    title: str
    kind: str = INCREASE
    start: Decimal = Decimal(0)
    target: Decimal = Decimal(0)
    has_owner: bool = True
    confidence: int | None = None
    ref: Hashable | None = None
    unit: str = ""


@dataclass(frozen=True)
class ObjectiveDraft:
    title: str
    key_results: Sequence[KeyResultDraft] = ()
    # For a team objective: the title of the company key result it moves.
    aligned_to: str = ""


@dataclass(frozen=True)
class Finding:
    rule: Rule
    ref: Hashable | None = None  # the key result's ref; None for the objective
    words: tuple[str, ...] = ()  # what triggered it, as written
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """The name a dismissal is kept under: the rule, and the key result's ref."""
        return self.rule.id if self.ref is None else f"{self.rule.id}:{self.ref}"


_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A number standing on its own ("95 %", "1,000", "3.5"), not part of "B2B", "Q3", "24/7".
_NUMBER = re.compile(r"(?<![\w/.,])\d+(?:[.,]\d+)*(?:\s?%)?(?![\w/])")
_SENTENCE_END = re.compile(r"(\S+)[.!?;]+\s+(?=\S)")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _leading_verb(title: str, words: Words) -> tuple[str, str, str]:
    """The first word that is no lead-in, as written and lower case, and the word after."""
    found = _TOKEN.findall(title)
    for index, token in enumerate(found):
        lower = token.lower()
        if lower in words.lead_ins:
            continue
        after = found[index + 1].lower() if index + 1 < len(found) else ""
        return token, lower, after
    return "", "", ""


def _content(title: str, words: Words) -> frozenset[str]:
    """A title's words that carry meaning, plural endings dropped."""
    found = set()
    for token in _tokens(title):
        if token in words.stop_words:
            continue
        for ending in words.plural_endings:
            if len(token) > len(ending) + 2 and token.endswith(ending):
                token = token[: -len(ending)]
                break
        found.add(token)
    return frozenset(found)


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _sentences(title: str, words: Words) -> int:
    ends = [
        m
        for m in _SENTENCE_END.finditer(title)
        if f"{m.group(1).lower()}." not in words.abbreviations
    ]
    return len(ends) + 1


def _objective_findings(draft: ObjectiveDraft, words: Words, limits: Thresholds):
    title = draft.title.strip()
    if title:
        numbers = tuple(m.group(0) for m in _NUMBER.finditer(title))
        if numbers:
            yield Finding(OBJECTIVE_NUMBER, words=numbers)
        count = len(_tokens(title))
        if _sentences(title, words) > 1 or count > limits.max_objective_words:
            yield Finding(OBJECTIVE_LONG, detail={"words": count})
        verb, lower, _ = _leading_verb(title, words)
        if lower in words.keep_verbs:
            yield Finding(OBJECTIVE_KEEP, words=(verb,))
    key_results = draft.key_results
    n = len(key_results)
    if n and not limits.min_key_results <= n <= limits.max_key_results:
        yield Finding(KEY_RESULT_COUNT, detail={"count": n})
    if n and all(kr.kind == MILESTONE for kr in key_results):
        yield Finding(ALL_MILESTONES, detail={"count": n})
    confidences = [kr.confidence for kr in key_results if kr.confidence is not None]
    if confidences:
        if Decimal(sum(confidences)) / len(confidences) >= limits.sandbagging_confidence:
            yield Finding(SANDBAGGING, words=tuple(str(c) for c in confidences))
        if len(confidences) == n and max(confidences) <= limits.low_confidence:
            yield Finding(LOW_CONFIDENCE, words=tuple(str(c) for c in confidences))


def _key_result_findings(draft: ObjectiveDraft, words: Words, limits: Thresholds):
    company = _content(draft.aligned_to, words) if draft.aligned_to else frozenset()
    seen: list[tuple[KeyResultDraft, frozenset[str]]] = []
    for kr in draft.key_results:
        ref = kr.ref
        content = _content(kr.title, words)
        if kr.kind != MILESTONE:
            start, target = Decimal(kr.start or 0), Decimal(kr.target or 0)
            if start == 0 and target == 0:
                yield Finding(NO_NUMBER, ref)
            elif kr.kind in (INCREASE, DECREASE) and start == target:
                yield Finding(NO_BASELINE, ref)
            elif kr.kind in (INCREASE, DECREASE) and start != 0:
                share = abs(target - start) / abs(start)
                if kr.unit.strip() == "%" and kr.kind == INCREASE and start < 100:
                    # A percentage near its ceiling: measured against what is left.
                    share = max(share, (target - start) / (100 - start))
                if share < limits.min_stretch:
                    yield Finding(STRETCH, ref, detail={"share": round(share * 100, 1)})
        verb, lower, after = _leading_verb(kr.title, words)
        if lower in words.activity_verbs and after not in words.measure_nouns:
            yield Finding(ACTIVITY, ref, words=(verb,))
        for other, other_content in seen:
            if _similarity(content, other_content) >= limits.duplicate_similarity:
                shared = tuple(sorted(content & other_content))
                yield Finding(DUPLICATE, ref, words=shared, detail={"other": other.title})
                break
        if company and _similarity(content, company) >= limits.duplicate_similarity:
            yield Finding(REPEATS_COMPANY, ref, words=tuple(sorted(content & company)))
        if not kr.has_owner:
            yield Finding(NO_OWNER, ref)
        seen.append((kr, content))


def check(
    draft: ObjectiveDraft, *, language: str = "en", thresholds: Thresholds = THRESHOLDS
) -> list[Finding]:
    """Every finding on an objective and its key results: the objective's first, then
    each key result's in their order."""
    words = words_for(language)
    return [
        *_objective_findings(draft, words, thresholds),
        *_key_result_findings(draft, words, thresholds),
    ]
