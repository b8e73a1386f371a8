"""OKRs written the way teams write them, good and bad, in five domains, with what the
coach should find in each. `near` names the rule a case nearly trips and must not."""

from dataclasses import dataclass
from decimal import Decimal as D

from okrs.coach import KeyResultDraft


@dataclass(frozen=True)
class KR:
    """A key result, checked beside a good one; only its own findings count."""

    domain: str
    title: str
    expected: frozenset
    near: str = ""
    kind: str = "increase"
    start: D = D(40)
    target: D = D(60)
    owner: bool = True
    unit: str = ""

    def draft(self) -> KeyResultDraft:
        return KeyResultDraft(
            self.title, self.kind, self.start, self.target, self.owner, ref=1, unit=self.unit
        )


def kr(domain, title, expected="", near="", **fields) -> KR:
    return KR(domain, title, frozenset(expected.split()), near, **fields)


GOOD = KeyResultDraft("Customers who renew their contract", start=D(70), target=D(85), ref=0)

KEY_RESULTS = [
    # software
    kr(
        "software",
        "Launch the new onboarding flow",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("software", "Launch rate of new features", near="activity", start=D(2), target=D(6)),
    kr("software", "Build the billing microservice", "activity no_owner", owner=False),
    kr(
        "software",
        "Build time of the main pipeline in minutes",
        near="activity",
        kind="decrease",
        start=D(25),
        target=D(8),
    ),
    kr(
        "software",
        "Implement single sign-on",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr(
        "software",
        "Ship the mobile app to the stores",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("software", "Release frequency per month", near="activity", start=D(1), target=D(8)),
    kr("software", "We will migrate all customers to the new database", "activity"),
    kr(
        "software",
        "Successfully deploy version 3",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr(
        "software",
        "Crash-free sessions on Android",
        near="stretch",
        start=D(97),
        target=D(99.5),
        unit="%",
    ),
    kr("software", "Invoices paid on time", "stretch", start=D(80), target=D(81), unit="%"),
    kr("software", "Weekly active teams using the API", "stretch", start=D(400), target=D(420)),
    kr(
        "software", "Weekly active teams using the API", near="stretch", start=D(400), target=D(480)
    ),
    kr("software", "p95 page load time in ms", kind="decrease", start=D(2400), target=D(1200)),
    kr("software", "Share of deploys rolled back", kind="decrease", start=D(12), target=D(3)),
    kr("software", "Users who complete setup without help", "no_number", start=D(0), target=D(0)),
    kr(
        "software",
        "Share of sign-ups that reach the dashboard",
        "no_baseline",
        start=D(30),
        target=D(30),
    ),
    kr("software", "New paying teams per month", near="no_baseline", start=D(0), target=D(50)),
    kr(
        "software",
        "Error budget stays above target",
        near="no_number",
        kind="stay_above",
        start=D(0),
        target=D(99),
    ),
    kr(
        "software",
        "Refactor the payment module",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    # sales
    kr("sales", "Hold 40 discovery calls with CFOs", "activity", start=D(0), target=D(40)),
    kr("sales", "Run a webinar series for prospects", "activity"),
    kr("sales", "Run rate of new annual contracts", near="activity", start=D(1.2), target=D(2)),
    kr("sales", "Win rate on qualified opportunities", start=D(18), target=D(28)),
    kr("sales", "Average deal size in euros", "stretch", start=D(12000), target=D(12500)),
    kr("sales", "Average deal size in euros", near="stretch", start=D(12000), target=D(15000)),
    kr(
        "sales",
        "Create a new pricing page",
        "activity no_owner",
        owner=False,
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("sales", "Qualified leads per month from partners", "no_owner", owner=False),
    kr(
        "sales",
        "Sales cycle length in days",
        near="no_owner",
        kind="decrease",
        start=D(90),
        target=D(60),
    ),
    kr("sales", "Prospects who ask for a second demo", "no_number", start=D(0), target=D(0)),
    kr("sales", "Develop a partner programme", "activity"),
    # support
    kr(
        "support",
        "Help desk tickets solved on first contact",
        near="activity",
        start=D(55),
        target=D(75),
    ),
    kr("support", "Help 200 customers move to the new plan", "activity", start=D(0), target=D(200)),
    kr("support", "First response time in hours", kind="decrease", start=D(8), target=D(2)),
    kr(
        "support",
        "First response time in hours",
        "no_baseline",
        kind="decrease",
        start=D(2),
        target=D(2),
    ),
    kr(
        "support",
        "Tickets about invoices per 100 customers",
        kind="decrease",
        start=D(14),
        target=D(6),
    ),
    kr(
        "support",
        "Tickets about invoices per 100 customers",
        "stretch",
        kind="decrease",
        start=D(14),
        target=D(13),
    ),
    kr("support", "Write 30 help articles", "activity", start=D(0), target=D(30)),
    kr("support", "Customers who solve login problems themselves", start=D(20), target=D(50)),
    kr(
        "support",
        "Analyse the top 20 ticket reasons",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr(
        "support",
        "Satisfaction score after a chat",
        near="no_baseline",
        kind="stay_above",
        start=D(4.5),
        target=D(4.5),
    ),
    # HR
    kr("hr", "Hire five senior engineers", "activity", start=D(0), target=D(5)),
    kr("hr", "Offer acceptance rate", start=D(60), target=D(80)),
    kr(
        "hr",
        "Organise a leadership training",
        "activity no_owner",
        owner=False,
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("hr", "New hires who feel productive after 30 days", start=D(35), target=D(70)),
    kr("hr", "Regretted attrition in engineering", kind="decrease", start=D(14), target=D(8)),
    kr(
        "hr",
        "Regretted attrition in engineering",
        "stretch",
        kind="decrease",
        start=D(14),
        target=D(13.5),
    ),
    kr("hr", "Participate in three job fairs", "activity", start=D(0), target=D(3)),
    kr("hr", "Time to hire in days", near="activity", kind="decrease", start=D(60), target=D(35)),
    kr(
        "hr",
        "Employees who would recommend us as an employer",
        "no_number",
        start=D(0),
        target=D(0),
    ),
    # public sector
    kr(
        "public",
        "Consult residents about the new park",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("public", "Permit decisions made within eight weeks", start=D(40), target=D(75)),
    kr(
        "public",
        "Introduce an online form for permits",
        "activity",
        kind="milestone",
        start=D(0),
        target=D(1),
    ),
    kr("public", "Residents who apply online rather than at the desk", start=D(25), target=D(60)),
    kr(
        "public",
        "Complaints about waste collection per month",
        kind="decrease",
        start=D(320),
        target=D(150),
    ),
    kr("public", "Design a new website for the municipality", "activity no_owner", owner=False),
    kr(
        "public",
        "Average waiting time at the service desk in minutes",
        "stretch",
        kind="decrease",
        start=D(30),
        target=D(28),
    ),
    kr("public", "Start rate of youth programmes", near="activity", start=D(3), target=D(8)),
    kr(
        "public",
        "Citizens who rate the service 8 or higher",
        near="no_owner",
        start=D(52),
        target=D(70),
    ),
]
