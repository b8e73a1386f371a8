"""A team lead makes a team token on the team page, a script pushes a value with it over
HTTP (urllib against the live server, as a cron job would), and the lead sees the value
on the key result's chart; the token's page shows when it was last used."""

import json
import urllib.request
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from okrs.models import KeyResultUpdate
from okrs.weeks import iso_week_label, week_start
from tests.e2e.data import DAY_ONE_KR, onboarding_committed
from tests.e2e.pages import TEAM_PATH, collect_errors, field, open_team_page, sign_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def push(url: str, secret: str, body: dict, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the live test server
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def test_a_lead_pushes_a_value_with_a_team_token(page, live_server):
    from django.utils import timezone

    company = onboarding_committed()
    kr = company["krs"][DAY_ONE_KR]
    errors: list[str] = []
    collect_errors(page, errors)

    # 1. The lead opens the team page and its API tokens.
    sign_in(page, live_server, company["lead"].email)
    open_team_page(page, live_server)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="Onboarding's API tokens")).to_be_visible()
    expect(page.locator("body")).to_contain_text(f"/api/v1/key-results/{kr.pk}/values")

    # 2. … makes a token and copies it (shown once).
    field(page, "Name").fill("Nightly import")
    page.get_by_role("button", name="Make token").click()
    secret_box = page.get_by_label("Your token")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert secret.startswith("lok_")
    snap(page, "api-1-token-made")

    # 3. A script pushes today's figure, and its retry records nothing more.
    url = f"{live_server.url}/api/v1/key-results/{kr.pk}/values"
    status, body = push(url, secret, {"value": "31", "confidence": 6}, "nightly-1")
    assert status == 201
    assert body["key_result"]["current_value"] == "31.0000"
    status, again = push(url, secret, {"value": "31", "confidence": 6}, "nightly-1")
    assert (status, again) == (201, body)
    assert KeyResultUpdate.objects.filter(key_result=kr).count() == 1
    assert KeyResultUpdate.objects.get(key_result=kr).value == Decimal(31)

    # 4. The team page shows it on the key result's chart.
    open_team_page(page, live_server, TEAM_PATH)
    row = page.locator("#team-okr .key-result", has_text=DAY_ONE_KR)
    chart = row.locator("details.chart")
    expect(chart.locator("summary")).to_contain_text("confidence 6/10")
    chart.locator("summary").click()
    expect(chart.locator('polyline[data-series="value"]')).to_be_visible()
    week = iso_week_label(week_start(timezone.localdate()))
    expect(chart.locator("table tbody tr th").last).to_have_text(week)
    expect(chart.locator("table tbody tr td").first).to_have_text("31")
    snap(page, "api-2-chart")

    # 5. The token's page says when it was last used.
    page.goto(f"{live_server.url}/teams/onboarding/tokens/")
    token_row = page.locator("tbody tr", has_text="Nightly import")
    expect(token_row).not_to_contain_text("never")
    assert secret not in page.content()

    # 6. The interactive docs load from this server alone, within the page's CSP (a
    # blocked script or style would be a console error).
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Lean OKRs API")
    expect(page.locator(".swagger-ui")).to_contain_text(
        "/api/v1/key-results/{key_result_id}/values"
    )
    snap(page, "api-3-docs")
    assert errors == []
