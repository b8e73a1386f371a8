"""Scores and retrospectives on the review page: prefilled, refused with a message,
saved inline, stale edits shown, read-only once closed, user text escaped."""

import json
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from okrs import services
from okrs.models import Retrospective
from okrs.services import reviews
from tests.factories import KeyResultFactory
from tests.fixtures.okrs import retro_post, retro_texts, score_post
from tests.helpers import HX

pytestmark = pytest.mark.django_db


def test_the_review_page_prefills_scores_from_progress(client_for, member, objective, kr):
    page = client_for(member).get(reverse("okrs:objective-review", args=[objective.pk]))
    assert page.status_code == 200
    assert f'name="score{kr.pk}-score" value="0.7"' in page.text
    assert "Progress suggests 0.7" in page.text
    assert "Save the retrospective" in page.text


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("1.5", "", "between 0.0 and 1.0"),
        ("-1", "", "between 0.0 and 1.0"),
        ("seven", "", "between 0.0 and 1.0"),
        ("0.4", "", "Progress suggests 0.7: say why the score differs."),
    ],
)
def test_bad_scores_answer_422_with_a_message_and_change_nothing(
    client_for, member, kr, score, reason, message
):
    client = client_for(member)
    url = reverse("okrs:key-result-score", args=[kr.pk])
    response = client.post(url, score_post(kr, score=score, reason=reason))
    assert response.status_code == 422
    assert message in response.text
    fragment = client.post(url, score_post(kr, score=score, reason=reason), **HX)
    assert fragment.status_code == 422 and message in fragment.text
    assert "<html" not in fragment.text
    kr.refresh_from_db()
    assert kr.score is None and kr.score_version == 1


def test_an_inline_score_answers_with_its_row(client_for, member, kr):
    response = client_for(member).post(
        reverse("okrs:key-result-score", args=[kr.pk]),
        score_post(kr, score="0.5", reason="The last month was a holiday."),
        **HX,
    )
    assert response.status_code == 200
    assert f'id="score-{kr.pk}"' in response.text and "Score 0.5 saved" in response.text
    # the page's summary follows, out of band
    assert 'id="review-summary" class="review-summary" hx-swap-oob="true"' in response.text
    assert (
        "Score <strong>0.5</strong>" in response.text
        and "1 of 1 key results scored" in response.text
    )
    kr.refresh_from_db()
    assert kr.score == D("0.50") and kr.score_reason == "The last month was a holiday."


def test_a_stale_score_answers_409_with_who_saved_first(client_for, member, lead, kr):
    client_for(lead).post(reverse("okrs:key-result-score", args=[kr.pk]), score_post(kr))
    response = client_for(member).post(
        reverse("okrs:key-result-score", args=[kr.pk]),
        score_post(kr, score="0.2", reason="Harsh", version=1),
        **HX,
    )
    assert response.status_code == 409
    assert "saved this key result first (score 0.7)" in response.text
    assert f'name="score{kr.pk}-version" value="2"' in response.text
    kr.refresh_from_db()
    assert kr.score == D("0.70")


def test_a_stale_retrospective_shows_both_texts(client_for, member, lead, objective):
    url = reverse("okrs:retrospective-edit", args=[objective.pk])
    client_for(lead).post(url, retro_post(learned="Lead's learning"))
    response = client_for(member).post(url, retro_post(learned="Member's learning"))
    assert response.status_code == 409
    assert "Lead&#x27;s learning" in response.text and "Member&#x27;s learning" in response.text
    assert Retrospective.objects.get().learned == "Lead's learning"


def test_a_closed_cycle_shows_its_review_read_only_and_refuses_writes(
    client_for, member, objective, kr, cycle
):
    services.cycle_close(cycle=cycle)
    client = client_for(member)
    page = client.get(reverse("okrs:objective-review", args=[objective.pk]))
    assert "is closed" in page.text and "Save score" not in page.text
    response = client.post(reverse("okrs:key-result-score", args=[kr.pk]), score_post(kr))
    assert response.status_code == 422 and "closed" in response.text
    response = client.post(
        reverse("okrs:retrospective-edit", args=[objective.pk]), retro_post(learned="Late")
    )
    assert response.status_code == 422 and "closed" in response.text
    kr.refresh_from_db()
    assert kr.score is None and not Retrospective.objects.exists()


def test_user_text_on_review_pages_is_escaped(client_for, member, objective, kr, cycle):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    reviews.retrospective_save(
        objective=objective,
        texts=retro_texts(learned=payload),
        expected_version=0,
        actor=member,
    )
    reviews.key_result_score(
        key_result=kr, score="0.1", reason=payload, expected_version=1, actor=member
    )
    services.cycle_close(cycle=cycle)
    client = client_for(member)
    for url in [
        reverse("okrs:objective-review", args=[objective.pk]),
        reverse("okrs:objective-history", args=[objective.pk]),
        reverse("dashboard:cycle-print", args=[cycle.pk]),
        reverse("okrs:cycle-detail", args=[cycle.pk]),
    ]:
        text = client.get(url).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url


def test_a_partly_scored_objective_shows_no_score_anywhere(client_for, member, cycle, objective):
    """One of two key results scored: the objective's score is incomplete, not 0.4."""
    first = objective.key_results.get()
    KeyResultFactory(objective=objective, title="Second key result", position=2)
    reviews.key_result_score(
        key_result=first, score="0.4", reason="Slow start", expected_version=1, actor=member
    )
    client = client_for(member)
    review = client.get(reverse("okrs:objective-review", args=[objective.pk])).text
    assert "Score incomplete" in review and "1 of 2 key results scored" in review
    assert "Score <strong>" not in review
    cycle_page = client.get(reverse("okrs:cycle-detail", args=[cycle.pk])).text
    row = cycle_page[cycle_page.index(f"{objective.team.name}</th>") :]
    assert "incomplete" in row[: row.index("</tr>")]
    assert "<strong>0.4</strong>" not in cycle_page
    printed = client.get(reverse("dashboard:cycle-print", args=[cycle.pk])).text
    assert "score incomplete (1 of 2 key results scored)" in printed
    assert "score 0.4" not in printed
    export = client.get(reverse("dashboard:cycle-export-json", args=[cycle.pk]))
    data = json.loads(b"".join(export.streaming_content))
    (team_objective,) = [o for o in data["objectives"] if o["level"] == "team"]
    assert team_objective["score"] is None
    assert [kr["score"] for kr in team_objective["key_results"]] == [0.4, None]


def test_each_score_field_is_labelled_with_its_key_result(client_for, member, objective, kr):
    second = KeyResultFactory(objective=objective, title="Setup steps", position=2)
    page = client_for(member).get(reverse("okrs:objective-review", args=[objective.pk])).text
    for key_result in (kr, second):
        for name, label in (("score", "Score (0.0–1.0)"), ("reason", "Why this score?")):
            label_html = re.search(
                rf'<label for="id_score{key_result.pk}-{name}">(.*?)</label>', page
            ).group(1)
            text = re.sub(r"<[^>]+>", "", label_html)
            assert text.startswith(f"{label} of {key_result.title}"), text
