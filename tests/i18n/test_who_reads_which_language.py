"""Who reads which language: a person's own choice, else the browser's, else the
company default; an email goes out in its recipient's language, whoever sent it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from checkins import reminders
from okrs.models import KeyResult
from teams.models import EmailOutbox
from teams.outbox import outbox_message, outbox_messages
from tests.checkins.test_reminders import MONDAY_TEN_AMSTERDAM, rhythm  # noqa: F401
from tests.factories import MembershipFactory
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

SUBJECTS = {
    "en": "Check-in time for Onboarding (2026-W49)",
    "nl": "Tijd voor de check-in van Onboarding (2026-W49)",
    "de": "Zeit für den Check-in von Onboarding (2026-W49)",
}


def test_a_person_chooses_a_language_that_wins_over_the_browser(member):
    client = signed_in(member)
    page = client.get(reverse("teams:settings"), HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == "de"
    assert '<html lang="de" dir="ltr">' in page.text
    assert "Einstellungen und E-Mails" in page.text
    data = {
        "name": member.name or "Mia",
        "time_zone": member.time_zone,
        "language": "nl",
        "email_reminders": "on",
    }
    saved = client.post(reverse("teams:settings"), data, HTTP_ACCEPT_LANGUAGE="de", follow=True)
    member.refresh_from_db()
    assert member.language == "nl"
    assert saved["Content-Language"] == "nl"
    assert "Instellingen opgeslagen." in saved.text  # said in the language just chosen
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")
    assert home["Content-Language"] == "nl" and "Bedrijfs-OKR" in home.text
    client.post(reverse("teams:settings"), {**data, "language": ""})
    member.refresh_from_db()
    assert member.language == ""
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "de"


def test_a_language_that_is_not_offered_is_refused(member):
    client = signed_in(member)
    data = {"name": "Mia", "time_zone": member.time_zone, "language": "fr"}
    answer = client.post(reverse("teams:settings"), data)
    assert answer.status_code == 422
    member.refresh_from_db()
    assert member.language == ""


def test_the_sign_in_page_switches_the_language_before_signing_in(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="language" value="de"' in page.text and "Deutsch" in page.text
    client.post(reverse("set_language"), {"language": "de", "next": reverse("login")})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "de"
    assert "<h1>Anmelden</h1>" in page.text


def test_without_any_choice_the_company_default_speaks(client, settings):
    assert client.get(reverse("login"))["Content-Language"] == settings.LANGUAGE_CODE


def test_a_chosen_language_costs_no_query(member, team):
    path = reverse("dashboard:team-detail", args=[team.slug])
    client = signed_in(member)
    client.get(path)  # builds and caches the sections in English

    def queries(language: str) -> int:
        member.language = language
        member.save(update_fields=["language"])
        client.get(path, HTTP_ACCEPT_LANGUAGE=language)  # this language's sections cached
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path)["Content-Language"] == language
        return len(captured)

    assert queries("nl") == queries("de") == queries("en")


@pytest.mark.django_db(transaction=True)
def test_each_email_goes_out_in_its_recipients_language(rhythm):  # noqa: F811
    KeyResult.objects.filter(objective=rhythm["objective"]).update(current_value=Decimal("1234.5"))
    rhythm["member"].language = "nl"
    rhythm["member"].save(update_fields=["language"])
    german = MembershipFactory(team=rhythm["team"], user__email="de@example.com").user
    german.language = "de"
    german.save(update_fields=["language"])
    with translation.override("en"):
        reminders.dispatch_reminders(now=MONDAY_TEN_AMSTERDAM)
    rows = list(EmailOutbox.objects.filter(kind="reminder").select_related("recipient", "team"))
    assert len(rows) == 3
    # Whoever renders them (here someone reading German), in a batch and one by one.
    with translation.override("de"):
        batched = dict(
            zip([row.recipient.email for row in rows], outbox_messages(rows), strict=True)
        )
        single = {row.recipient.email: outbox_message(row) for row in rows}
        # the renderer's language is left alone (checked inside its own override: the
        # language active before this test is whatever the last request in this thread
        # left, as Django's LocaleMiddleware leaves it)
        assert translation.get_language() == "de"
    expected = {"member@example.com": "nl", "de@example.com": "de", "lead@example.com": "en"}
    for email, language in expected.items():
        for message in (batched[email], single[email]):
            assert message.subject == SUBJECTS[language]
            html = message.alternatives[0][0]
            assert f'<html lang="{language}" dir="ltr">' in html
    assert "nu 1.234,5 %" in batched["member@example.com"].body
    assert "jetzt 1.234,5 %" in batched["de@example.com"].body
    assert "now 1,234.5 %" in batched["lead@example.com"].body


def test_numbers_follow_the_language():
    from core.numbers import local_number

    with translation.override("nl"):
        assert local_number(Decimal("1234.50")) == "1.234,5"
    with translation.override("de"):
        assert local_number(Decimal("1234567")) == "1.234.567"
    with translation.override("en"):
        assert local_number(Decimal("1234.5")) == "1,234.5"
    assert local_number(None) == ""


def test_the_week_label_stays_iso_in_every_language(member, team):
    from okrs.weeks import iso_week_label

    with translation.override("de"):
        assert iso_week_label(datetime(2026, 11, 30, tzinfo=UTC).date()) == "2026-W49"
