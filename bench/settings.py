"""Production settings plus what only the bench needs: a trivial view and a header that
counts each response's SQL queries. Never used outside `make bench`."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]

# Two simulated members typing into the same field get a 409, which Django logs as a
# warning: correct behaviour, not news during a load test.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django.request": {"level": "ERROR"}}}  # noqa: F405
