"""Numbers nobody types on purpose in a check-in: a clear message and nothing saved,
never a 500; over-precise values are stored rounded and handed back as stored, so the
next keystroke is no false conflict. Both through htmx and the whole form."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn
from okrs.weeks import iso_week_label, week_start
from tests.fixtures.okrs import DAY_ONE_INVOICING, committed_objective, cycle_around
from tests.helpers import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(team, today):
    return committed_objective(cycle_around(today, before=30, after=60), team, DAY_ONE_INVOICING)


@pytest.fixture
def save_url(objective):
    week = iso_week_label(week_start(timezone.localdate()))
    return reverse("checkins:save", args=[objective.team.slug, week])


def field(objective, attribute):
    return f"entry-{objective.key_results.get().pk}-{attribute}"


def entry():
    return CheckIn.objects.get().entries.get()


ODD = [
    ("confidence", "²", "Confidence is a whole number from 0 to 10."),
    ("confidence", "³", "Confidence is a whole number from 0 to 10."),
    ("confidence", "①", "Confidence is a whole number from 0 to 10."),
    ("confidence", "٣", "Confidence is a whole number from 0 to 10."),
    ("value", "999999999999.99999", "Enter a number below a trillion"),
    ("value", "1e400", "Enter a number below a trillion"),
    ("value", "NaN", "Enter a number below a trillion"),
]


@pytest.mark.parametrize(("attribute", "raw", "message"), ODD)
def test_odd_numbers_are_explained_on_the_htmx_path(
    client_for, member, objective, save_url, attribute, raw, message
):
    name = field(objective, attribute)
    response = client_for(member).post(save_url, {"field": name, name: raw}, **HX)
    assert response.status_code == 422 and message in response.content.decode()
    assert (entry().value, entry().confidence) == (None, None)


@pytest.mark.parametrize(("attribute", "raw", "message"), ODD)
def test_odd_numbers_are_explained_on_the_whole_form_path(
    client_for, member, objective, save_url, attribute, raw, message
):
    response = client_for(member).post(save_url, {field(objective, attribute): raw}, follow=True)
    assert response.status_code in (200, 422) and message in response.content.decode()
    assert (entry().value, entry().confidence) == (None, None)


def test_an_over_precise_value_is_stored_rounded_and_handed_back_as_stored(
    client_for, member, objective, save_url
):
    name = field(objective, "value")
    client = client_for(member)
    response = client.post(save_url, {"field": name, name: "27.123456", f"{name}__base": ""}, **HX)
    assert response.status_code == 200
    assert entry().value == D("27.1235")
    assert 'value="27.1235"' in response.content.decode()  # the next base
    # the next keystroke, based on what was handed back, is no conflict
    again = client.post(save_url, {"field": name, name: "27.5", f"{name}__base": "27.1235"}, **HX)
    assert again.status_code == 200 and entry().value == D("27.5")
