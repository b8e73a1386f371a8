"""The coach's rules against a corpus of OKRs written the way teams write them: every
rule fires where it should and keeps quiet on its near-misses."""

from decimal import Decimal as D

import pytest

from okrs.coach import (
    RULES,
    THRESHOLDS,
    KeyResultDraft,
    ObjectiveDraft,
    Thresholds,
    check,
    words_for,
)
from okrs.models import MAX_KEY_RESULTS
from tests.okrs.coach.corpus import GOOD, KEY_RESULTS
from tests.okrs.coach.corpus_objectives import OBJECTIVES, SETS, draft_of

KR_RULES = {r.id for r in RULES if r.about == "key_result"}
OBJECTIVE_TEXT = {"objective_number", "objective_long", "objective_keep"}


def test_the_corpus_is_large_and_covers_every_rule_both_ways():
    cases = len(KEY_RESULTS) + len(OBJECTIVES) + len(SETS)
    assert cases >= 80
    assert {k.domain for k in KEY_RESULTS} == {"software", "sales", "support", "hr", "public"}
    fires = {r for k in KEY_RESULTS for r in k.expected} | {
        r for o in OBJECTIVES for r in o[2].split()
    }
    fires |= {rule for s in SETS for rule, _ in s[2]}
    nears = {k.near for k in KEY_RESULTS} | {o[3] for o in OBJECTIVES} | {s[3] for s in SETS}
    every = {r.id for r in RULES}
    assert fires == every, f"no case fires {every - fires}"
    assert every <= nears, f"no near-miss for {every - nears}"


@pytest.mark.parametrize("case", KEY_RESULTS, ids=lambda k: f"{k.domain}: {k.title}")
def test_a_key_result(case):
    draft = ObjectiveDraft("Invoicing feels effortless", (GOOD, case.draft()))
    found = {f.rule.id for f in check(draft) if f.ref == 1}
    assert found == case.expected
    assert case.near not in found


@pytest.mark.parametrize("case", OBJECTIVES, ids=lambda o: f"{o[0]}: {o[1][:40]}")
def test_an_objective(case):
    _, title, expected, near = case
    found = {f.rule.id for f in check(draft_of(title)) if f.ref is None}
    assert found == set(expected.split())
    assert near not in found


@pytest.mark.parametrize("case", SETS, ids=lambda s: s[0])
def test_a_set_of_key_results(case):
    _, draft, expected, near = case
    found = {(f.rule.id, f.ref) for f in check(draft)}
    assert found == expected
    assert near not in {rule for rule, _ in found}


def test_findings_say_what_triggered_them():
    draft = ObjectiveDraft("Maintain 99.9 % uptime", (GOOD,))
    by_rule = {f.rule.id: f for f in check(draft)}
    assert by_rule["objective_keep"].words == ("Maintain",)
    assert by_rule["objective_number"].words == ("99.9 %",)
    assert by_rule["key_result_count"].detail == {"count": 1}
    assert by_rule["objective_keep"].key == "objective_keep"


def test_every_rule_explains_itself():
    for rule in RULES:
        assert rule.severity in ("hint", "warning") and rule.about in ("objective", "key_result")
        assert rule.title and rule.why.endswith(".") and rule.example and rule.poor
        assert rule.aspect in (None, "ambition", "measurability", "alignment", "outcome")
    assert len({r.id for r in RULES}) == len(RULES)


def test_the_coach_counts_key_results_as_the_app_does():
    assert THRESHOLDS.max_key_results == MAX_KEY_RESULTS


def test_thresholds_can_be_tuned():
    draft = ObjectiveDraft("Invoicing feels effortless", (GOOD,))
    assert check(draft, thresholds=Thresholds(min_key_results=1)) == []


def test_a_language_without_word_lists_uses_english():
    assert words_for("fr") is words_for("en") is words_for("en-GB")
    draft = ObjectiveDraft("Keep it up", ())
    assert check(draft, language="fr") == check(draft, language="en")


@pytest.mark.parametrize(
    ("language", "objective", "activity", "outcome"),
    [
        (
            "nl",
            "Behoud onze klanttevredenheid",
            "Lanceer de nieuwe onboarding",
            "Aandeel klanten dat in week één factureert",
        ),
        (
            "de",
            "Bleiben wir die Nummer eins",
            "Wir starten den neuen Onboarding-Ablauf",
            "Anteil der Kunden, die in Woche eins abrechnen",
        ),
    ],
)
def test_dutch_and_german_have_their_own_words(language, objective, activity, outcome):
    assert words_for(language) is not words_for("en")
    assert words_for(f"{language}-{language.upper()}") is words_for(language)
    draft = ObjectiveDraft(
        objective,
        (
            KeyResultDraft(activity, start=D(10), target=D(20), ref=1),
            KeyResultDraft(outcome, start=D(10), target=D(20), ref=2),
        ),
    )
    found = {(finding.rule.id, finding.ref) for finding in check(draft, language=language)}
    assert ("activity", 1) in found and ("activity", 2) not in found
    keeps = [f for f in check(draft, language=language) if f.rule.id == "objective_keep"]
    assert keeps, f"{objective!r} keeps things as they are"


def test_the_rules_module_imports_no_django():
    import ast
    from pathlib import Path

    import okrs.coach

    for path in Path(okrs.coach.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.Import) else []
            )
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] == "django"], path
