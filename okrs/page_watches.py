"""The rows of this app a team page shows, for the triggers that keep each team's page
versions and the company's page epoch (see teams/page_version.py and
dashboard/team_page.py)."""

from teams.page_version import EVERY_ROW, Watch

OF_OBJECTIVE = "SELECT team_id FROM okrs_objective WHERE id = {row}.objective_id"
# A company objective's or key result's change touches every page (the company's epoch):
# their titles show on the pages of the teams that move them, and the company key results
# are what a team's new objective is offered to move.
COMPANY_OBJECTIVE = "{row}.level = 'company'"
OF_COMPANY_OBJECTIVE = (
    "EXISTS (SELECT 1 FROM okrs_objective WHERE id = {row}.objective_id AND level = 'company')"
)
# What a team's key results and their values show in: the OKR, and the check-in
# section's signals and experiments.
KEY_RESULT_SECTIONS = ("okr", "checkins")
# The rows of this app a team page shows (see teams/page_version.py); a cycle's name,
# dates and status touch every page. A team objective shows in every section (the head
# offers to carry the last one forward, the check-in section follows its state).
WATCHES = [
    Watch("okrs_cycle", company=EVERY_ROW),
    Watch("okrs_objective", ("SELECT {row}.team_id",), company=COMPANY_OBJECTIVE),
    Watch(
        "okrs_keyresult",
        (OF_OBJECTIVE,),
        sections=KEY_RESULT_SECTIONS,
        company=OF_COMPANY_OBJECTIVE,
    ),
    Watch(
        "okrs_keyresultupdate",
        (
            "SELECT o.team_id FROM okrs_objective o JOIN okrs_keyresult k"
            " ON k.objective_id = o.id WHERE k.id = {row}.key_result_id",
        ),
        sections=KEY_RESULT_SECTIONS,
    ),
    Watch("okrs_comment", (OF_OBJECTIVE,), sections=("okr",)),
    # the retrospective shows on the team page while its cycle is in review
    Watch("okrs_retrospective", (OF_OBJECTIVE,), sections=("okr",)),
    # the history (the OKR), and when the objective was committed, read with the
    # objective in every section (check-ins are due from then on)
    Watch("okrs_objectiveevent", (OF_OBJECTIVE,)),
]
