import os
import time
from datetime import datetime, timedelta

import pytest
import time_machine

# The shared fixtures, per app (tests/fixtures/); the autouse ones stay here.
pytest_plugins = [
    "tests.fixtures.teams",
    "tests.fixtures.okrs",
    "tests.fixtures.checkins",
    "tests.fixtures.broker",
    "tests.fixtures.webhooks",
    "tests.fixtures.api",
    "tests.fixtures.oidc",
]


def _test_now() -> datetime | None:
    """TEST_NOW: the moment (ISO 8601 with its UTC offset) the `dates` tests run at."""
    value = os.environ.get("TEST_NOW", "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"TEST_NOW={value!r} is not an ISO 8601 datetime") from None
    if moment.utcoffset() is None:
        raise pytest.UsageError(f"TEST_NOW={value!r} needs its UTC offset, e.g. +01:00")
    return moment


TEST_NOW: datetime | None = None
# TEST_NOW_ALL=1 travels every test, not only those marked `dates`: a test that fails only
# then depends on the date without saying so (docs/testing.md).
TEST_NOW_ALL = os.environ.get("TEST_NOW_ALL", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    global TEST_NOW
    TEST_NOW = _test_now()  # a TEST_NOW pytest cannot read stops the run before it starts


# On the real clock a `dates` test must not straddle midnight (a fixture reads the date,
# the app reads it again a moment later): one about to start in the last seconds of a day
# in the app's time zone waits for the next day.
MIDNIGHT_MARGIN = timedelta(seconds=10)


def _wait_out_midnight() -> None:
    from django.utils import timezone

    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 0.1)


@pytest.fixture(autouse=True)
def _travel_to_test_now(request):
    """Tests marked `dates` run at TEST_NOW when it is set (the clock ticks on from
    there), on the real clock otherwise (not starting in a day's last seconds);
    `@pytest.mark.dates(at=moment)` (and `tick=False` to stop the clock) runs the test at
    its own moment whatever TEST_NOW says. Autouse fixtures run before the others, so the
    fixtures that read the date read this one."""
    marker = request.node.get_closest_marker("dates")
    if marker is not None and marker.kwargs.get("at") is not None:
        moment, tick = marker.kwargs["at"], marker.kwargs.get("tick", True)
    elif TEST_NOW is not None and (TEST_NOW_ALL or marker is not None):
        moment, tick = TEST_NOW, True
    else:
        if marker is not None:
            _wait_out_midnight()
        yield
        return
    with time_machine.travel(moment, tick=tick):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is slow by design; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counts and built team pages live in the caches (local memory in tests):
    # every test starts without them.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
