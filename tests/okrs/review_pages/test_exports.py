"""The CSV and JSON exports of a cycle and its printable page: what they hold, formulas
defused, query counts that do not grow with the teams, batches."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from okrs.models import Objective
from okrs.services import reviews
from tests.factories import (
    CheckInEntryFactory,
    CheckInFactory,
    ExperimentFactory,
    KeyResultFactory,
    KeyResultUpdateFactory,
    MembershipFactory,
    RetrospectiveFactory,
    TeamFactory,
    TeamObjectiveFactory,
)
from tests.fixtures.okrs import retro_texts

pytestmark = pytest.mark.django_db
State = Objective.State


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_per_key_result_and_defuses_formulas(
    client_for, member, cycle, objective, kr
):
    company_kr = objective.aligned_to
    company_kr.title = 'Revenue, "net", per\nmonth'
    company_kr.save()
    kr.title = '=HYPERLINK("http://evil.example","click")'
    kr.unit = "+1 users"
    kr.score, kr.score_reason = D("0.7"), "@SUM(A1:A9)"
    kr.confidence = 6
    kr.save()
    other = TeamObjectiveFactory(
        cycle=cycle, team=TeamFactory(name="-Ops"), state=State.COMMITTED, aligned_to=company_kr
    )
    KeyResultFactory(
        objective=other,
        title="Tickets",
        kind="decrease",
        start_value=D(-5),
        target_value=D(-20),
        current_value=D(-12.5),
    )
    response = client_for(member).get(reverse("dashboard:cycle-export-csv", args=[cycle.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lean-okrs-q4-2026.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["team"] for row in rows] == ["Company", "'-Ops", objective.team.name]
    company_row, ops_row, team_row = rows
    assert company_row["key_result"] == 'Revenue, "net", per\nmonth'
    assert team_row["key_result"] == '\'=HYPERLINK("http://evil.example","click")'
    assert team_row["unit"] == "'+1 users" and team_row["score_reason"] == "'@SUM(A1:A9)"
    assert (team_row["start"], team_row["target"], team_row["current"]) == ("10", "60", "45")
    assert (team_row["progress"], team_row["confidence"], team_row["score"]) == ("70", "6", "0.7")
    assert team_row["objective"] == objective.title and team_row["objective_state"] == "committed"
    # numbers are numbers, even negative ones
    assert (ops_row["start"], ops_row["target"], ops_row["current"]) == ("-5", "-20", "-12.5")
    assert ops_row["progress"] == "50" and ops_row["score"] == ""


def test_the_json_export_is_the_whole_tree_with_checkins_and_experiments(
    client_for, member, cycle, objective, kr
):
    reviews.key_result_score(
        key_result=kr, score="0.7", reason="", expected_version=1, actor=member
    )
    reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned='Quotes " and \\ and\nnewlines', keep="k"),
        expected_version=0,
        actor=member,
    )
    week = cycle.start_date - timedelta(days=cycle.start_date.weekday()) + timedelta(days=7)
    checkin = CheckInFactory(
        team=objective.team,
        objective=objective,
        week_start=week,
        happened="Shipped",
        state="submitted",
    )
    CheckInEntryFactory(checkin=checkin, key_result=kr, value=D("30.5"), confidence=7)
    ExperimentFactory(
        team=objective.team,
        key_result=kr,
        belief="pre-fill",
        outcome="more invoices",
        signal="ratio",
        status="validated",
        learning="It works",
    )
    response = client_for(member).get(reverse("dashboard:cycle-export-json", args=[cycle.pk]))
    assert response["Content-Type"] == "application/json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["cycle"]["name"] == "Q4 2026" and data["cycle"]["status"] == "review"
    company, team_objective = data["objectives"]
    assert company["level"] == "company" and company["team"] is None
    assert team_objective["team"] == objective.team.name
    assert team_objective["aligned_to"] == objective.aligned_to_id
    assert team_objective["score"] == 0.7 and team_objective["progress"] == 70
    assert team_objective["retrospective"]["learned"] == 'Quotes " and \\ and\nnewlines'
    (exported_kr,) = team_objective["key_results"]
    assert (exported_kr["start"], exported_kr["target"], exported_kr["current"]) == (10, 60, 45)
    assert exported_kr["score"] == 0.7
    (exported_checkin,) = team_objective["checkins"]
    assert exported_checkin["happened"] == "Shipped"
    assert exported_checkin["entries"] == [
        {"key_result": kr.pk, "value": 30.5, "confidence": 7, "comment": ""}
    ]
    (exported_experiment,) = team_objective["experiments"]
    assert (
        exported_experiment["we_believe_that"] == "pre-fill"
        and exported_experiment["learning"] == "It works"
    )


def make_teams(cycle, company_kr, count: int) -> None:
    for _ in range(count):
        objective = TeamObjectiveFactory(
            cycle=cycle, team=TeamFactory(), state=State.COMMITTED, aligned_to=company_kr
        )
        checkin = CheckInFactory(
            team=objective.team, objective=objective, week_start=cycle.start_date
        )
        for _ in range(3):
            kr = KeyResultFactory(objective=objective)
            KeyResultUpdateFactory(key_result=kr, value=D(1), week_start=cycle.start_date)
            CheckInEntryFactory(checkin=checkin, key_result=kr, value=D(1), confidence=5)
        RetrospectiveFactory(objective=objective, learned="L")
        MembershipFactory(team=objective.team)


@pytest.mark.parametrize("teams", [3, 12])
def test_exports_and_the_printable_page_keep_their_query_counts(
    client_for, member, cycle, objective, django_assert_num_queries, teams
):
    make_teams(cycle, objective.aligned_to, teams)
    client = client_for(member)
    # session, user, cycle, then one streamed query for every key result
    with django_assert_num_queries(4):
        rows = read_csv(client.get(reverse("dashboard:cycle-export-csv", args=[cycle.pk])))
    assert len(rows) == 2 + teams * 3
    # session, user, cycle, objective ids, then per batch: objectives (+team,
    # retrospective), key results, their updates, check-ins, their entries, experiments
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboard:cycle-export-json", args=[cycle.pk]))
        data = json.loads(b"".join(response.streaming_content))
    assert len(data["objectives"]) == 2 + teams
    # session, user, cycle, objectives (+team, retrospective, alignment), key results
    with django_assert_num_queries(5):
        page = client.get(reverse("dashboard:cycle-print", args=[cycle.pk]))
    assert page.text.count('class="print-okr"') == 2 + teams


def test_a_large_json_export_comes_in_batches(cycle, objective):
    from dashboard import exports
    from okrs import review_selectors

    make_teams(cycle, objective.aligned_to, 5)
    batches = list(review_selectors.export_objectives(cycle, batch=3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert json.loads("".join(exports.cycle_json(cycle)))["objectives"][-1]["level"] == "team"
