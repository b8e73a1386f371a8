"""The rows of this app a team page shows, for the triggers that keep each team's
`page_version` (see teams/page_version.py and dashboard/team_page.py)."""

from teams.page_version import ALL_TEAMS, Watch

OF_OBJECTIVE = "SELECT team_id FROM okrs_objective WHERE id = {row}.objective_id"
# A company objective's or key result's change touches every page: their titles show on
# the pages of the teams that move them, and the company key results are what a team's
# new objective is offered to move.
EVERY_TEAM_FOR_COMPANY_ROWS = "SELECT id FROM teams_team WHERE {row}.level = 'company'"
EVERY_TEAM_FOR_COMPANY_KEY_RESULTS = (
    "SELECT id FROM teams_team WHERE EXISTS (SELECT 1 FROM okrs_objective"
    " WHERE id = {row}.objective_id AND level = 'company')"
)
# The rows of this app a team page shows (see teams/page_version.py); a cycle's name,
# dates and status touch every page.
WATCHES = [
    Watch("okrs_cycle", (ALL_TEAMS,)),
    Watch("okrs_objective", ("SELECT {row}.team_id", EVERY_TEAM_FOR_COMPANY_ROWS)),
    Watch("okrs_keyresult", (OF_OBJECTIVE, EVERY_TEAM_FOR_COMPANY_KEY_RESULTS)),
    Watch(
        "okrs_keyresultupdate",
        (
            "SELECT o.team_id FROM okrs_objective o JOIN okrs_keyresult k"
            " ON k.objective_id = o.id WHERE k.id = {row}.key_result_id",
        ),
    ),
    Watch("okrs_comment", (OF_OBJECTIVE,)),
    # the retrospective shows on the team page while its cycle is in review
    Watch("okrs_retrospective", (OF_OBJECTIVE,)),
    Watch("okrs_objectiveevent", (OF_OBJECTIVE,)),
]
