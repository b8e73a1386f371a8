"""The home page reads its rows from indexes, whatever the company's size: the
"needs attention first" page of each company key result from `dashboard_status_page`,
the counts from `dashboard_status_counts` (alone, an index-only scan, once vacuumed);
the rows' fingerprint is one row of `dashboard_statusepoch`. The plans are asked of
PostgreSQL with sequential scans priced out, so what is checked is that each query has
an index that serves it (on a small test table the planner would rightly read the table
instead)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.seed import seed_scale

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's (the CI lane)"
)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _home_queries(client) -> list[str]:
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db(transaction=False)
def test_the_home_page_reads_its_rows_from_indexes(client_for):
    company = seed_scale(teams=12, weeks=3)
    client = client_for(company.leaders[0])
    client.get("/")  # every status row worked out
    queries = _home_queries(client)
    status = [q for q in queries if 'FROM "dashboard_objectivestatus"' in q]

    (fingerprint,) = [q for q in queries if 'FROM "dashboard_statusepoch"' in q]
    assert "Index Scan using dashboard_statusepoch_pkey" in _plan(fingerprint)
    assert not [q for q in status if "SUM(" in q]  # no sum over the rows any more

    (counts,) = [q for q in status if 'AS "needing"' in q and "GROUP BY" in q]
    # (an index-only scan once vacuum has marked the pages visible, as it has on a
    # database in use; a test's fresh rows are not yet)
    assert "dashboard_status_counts" in _plan(counts)

    pages = [q for q in status if "ORDER BY" in q and "LIMIT" in q]
    assert pages, status
    for page in pages:
        plan = _plan(page)
        assert "dashboard_status_page" in plan, plan
        assert "Sort" not in plan.split("\n")[1], plan  # read in order, not sorted
