"""Objectives, and whole sets of key results, as teams write them, with what the coach
should find (see corpus.py for single key results)."""

from decimal import Decimal as D

from okrs.coach import KeyResultDraft, ObjectiveDraft
from tests.okrs.coach.corpus import GOOD

# (domain, title, expected objective findings, near)
OBJECTIVES = [
    ("software", "Make onboarding effortless for small teams", "", ""),
    ("software", "Reach 95 % on-time payments", "objective_number", ""),
    ("software", "Win the B2B market for invoicing", "", "objective_number"),
    ("software", "Support that works 24/7 without heroics", "", "objective_number"),
    ("software", "Maintain our platform's uptime", "objective_keep", ""),
    ("software", "Make our maintenance crews the fastest in the region", "", "objective_keep"),
    ("sales", "Become the first choice of mid-sized accountancies", "", ""),
    ("sales", "Double revenue to 2 million euros", "objective_number", ""),
    ("sales", "Keep our market share", "objective_keep", ""),
    ("sales", "Customers keep coming back because we solve their problem", "", "objective_keep"),
    (
        "support",
        "Customers solve their own problems, e.g. resetting a password",
        "",
        "objective_long",
    ),
    (
        "support",
        "Improve support. Customers wait too long and complain, so we must do better.",
        "objective_long",
        "",
    ),
    ("support", "Continue the good work of last quarter", "objective_keep", ""),
    ("hr", "New colleagues feel at home in their first month", "", ""),
    (
        "hr",
        "We want to build a culture where everyone feels safe to speak up and where"
        " ideas from every level of the company are heard and acted upon quickly",
        "objective_long",
        "",
    ),
    ("hr", "Sustain employee engagement", "objective_keep", ""),
    ("public", "Become the easiest municipality to start a business in", "", ""),
    ("public", "Halve the waiting time for permits to 4 weeks", "objective_number", ""),
    ("public", "Residents trust us with their data", "", "objective_long"),
    ("public", "Q3: residents find what they need online", "", "objective_number"),
]


def draft_of(objective_title: str) -> ObjectiveDraft:
    """An objective with two good key results, so only its own words are coached."""
    return ObjectiveDraft(
        objective_title,
        (GOOD, KeyResultDraft("Accounts using invoicing", ref=1, start=D(10), target=D(30))),
    )


def _kr(title, ref, kind="increase", start=D(10), target=D(20), owner=True, confidence=None):
    return KeyResultDraft(title, kind, start, target, owner, confidence, ref)


# Whole objectives: the set of key results, the alignment, the confidence. Expected:
# (rule, ref) pairs, ref None for the objective.
SETS = [
    (
        "one key result",
        ObjectiveDraft("Invoicing feels effortless", (_kr("Invoices sent on day one", 1),)),
        {("key_result_count", None)},
        "",
    ),
    (
        "six key results",
        ObjectiveDraft(
            "Invoicing feels effortless",
            tuple(
                _kr(t, i)
                for i, t in enumerate(
                    [
                        "Invoices sent on day one",
                        "Accounts paying by card",
                        "Refund requests per month",
                        "Reminders that lead to payment",
                        "Customers inviting their accountant",
                        "Days sales outstanding",
                    ]
                )
            ),
        ),
        {("key_result_count", None)},
        "",
    ),
    (
        "five key results",
        ObjectiveDraft(
            "Invoicing feels effortless",
            tuple(
                _kr(t, i)
                for i, t in enumerate(
                    [
                        "Invoices sent on day one",
                        "Accounts paying by card",
                        "Refund requests per month",
                        "Reminders that lead to payment",
                        "Days sales outstanding",
                    ]
                )
            ),
        ),
        set(),
        "key_result_count",
    ),
    (
        "all milestones",
        ObjectiveDraft(
            "Residents apply for permits online",
            (
                _kr("Online permit form live", 1, "milestone", D(0), D(1)),
                _kr("Desk staff trained on the new process", 2, "milestone", D(0), D(1)),
            ),
        ),
        {("all_milestones", None)},
        "",
    ),
    (
        "one milestone among outcomes",
        ObjectiveDraft(
            "Residents apply for permits online",
            (
                _kr("Online permit form live", 1, "milestone", D(0), D(1)),
                _kr("Permits applied for online", 2, start=D(10), target=D(60)),
            ),
        ),
        set(),
        "all_milestones",
    ),
    (
        "sandbagging",
        ObjectiveDraft(
            "Invoicing feels effortless",
            (
                _kr("Invoices sent on day one", 1, confidence=10),
                _kr("Accounts paying by card", 2, confidence=9),
            ),
        ),
        {("sandbagging", None)},
        "",
    ),
    (
        "confident but not sure",
        ObjectiveDraft(
            "Invoicing feels effortless",
            (
                _kr("Invoices sent on day one", 1, confidence=9),
                _kr("Accounts paying by card", 2, confidence=7),
            ),
        ),
        set(),
        "sandbagging",
    ),
    (
        "nobody believes",
        ObjectiveDraft(
            "Invoicing feels effortless",
            (
                _kr("Invoices sent on day one", 1, confidence=1),
                _kr("Accounts paying by card", 2, confidence=2),
            ),
        ),
        {("low_confidence", None)},
        "",
    ),
    (
        "one doubtful key result",
        ObjectiveDraft(
            "Invoicing feels effortless",
            (
                _kr("Invoices sent on day one", 1, confidence=1),
                _kr("Accounts paying by card", 2, confidence=5),
            ),
        ),
        set(),
        "low_confidence",
    ),
    (
        "duplicates",
        ObjectiveDraft(
            "Teams love the product",
            (
                _kr("Weekly active users", 1, start=D(2000), target=D(3000)),
                _kr("Active users per week to 3,000", 2, start=D(2000), target=D(3000)),
            ),
        ),
        {("duplicate", 2)},
        "",
    ),
    (
        "related, not duplicates",
        ObjectiveDraft(
            "Teams love the product",
            (
                _kr("Weekly active users", 1, start=D(2000), target=D(3000)),
                _kr("Weekly paying users", 2, start=D(200), target=D(300)),
            ),
        ),
        set(),
        "duplicate",
    ),
    (
        "repeats the company",
        ObjectiveDraft(
            "Accountancies stay with us",
            (
                _kr("Net revenue retention", 1, start=D(98), target=D(110)),
                _kr("Accounts using two or more modules", 2),
            ),
            aligned_to="Net revenue retention above 110 %",
        ),
        {("repeats_company", 1)},
        "",
    ),
    (
        "moves the company",
        ObjectiveDraft(
            "Accountancies stay with us",
            (
                _kr("Churned accountancies per quarter", 1, "decrease", D(12), D(6)),
                _kr("Accounts using two or more modules", 2),
            ),
            aligned_to="Net revenue retention above 110 %",
        ),
        set(),
        "repeats_company",
    ),
]
