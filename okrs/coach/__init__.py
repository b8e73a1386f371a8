"""The OKR coach: deterministic, explainable rules on how an objective and its key
results are written. `rules` holds the rules and thresholds, `words` the word lists per
language; nothing here imports Django (`okrs.coaching` brings it to the pages)."""

from okrs.coach.rules import (
    HINT,
    KEY_RESULT,
    OBJECTIVE,
    RULES,
    RULES_BY_ID,
    THRESHOLDS,
    WARNING,
    Finding,
    KeyResultDraft,
    ObjectiveDraft,
    Rule,
    Thresholds,
    check,
)
from okrs.coach.words import WORDS, Words, words_for

__all__ = [
    "HINT",
    "KEY_RESULT",
    "OBJECTIVE",
    "RULES",
    "RULES_BY_ID",
    "THRESHOLDS",
    "WARNING",
    "WORDS",
    "Finding",
    "KeyResultDraft",
    "ObjectiveDraft",
    "Rule",
    "Thresholds",
    "Words",
    "check",
    "words_for",
]
