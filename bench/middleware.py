"""What each response cost, for `make bench`: its SQL queries (X-Bench-Queries), the
CPU time of the thread that served it (X-Bench-Cpu, ms) and the time spent waiting for
the database (X-Bench-Db, ms). gunicorn's access log in the bench writes all three
beside the request's whole time, so a slow request shows whether it computed, waited
for PostgreSQL or waited for its turn (bench/server.py, `analyse_log`)."""

import time

from django.db import connection


def count_queries(get_response):
    def middleware(request):
        executed = []
        database = 0.0

        def wrapper(execute, sql, params, many, context):
            nonlocal database
            executed.append(sql)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                database += time.perf_counter() - started

        cpu = time.thread_time()
        with connection.execute_wrapper(wrapper):
            response = get_response(request)
        response["X-Bench-Queries"] = str(len(executed))
        response["X-Bench-Cpu"] = f"{(time.thread_time() - cpu) * 1000:.1f}"
        response["X-Bench-Db"] = f"{database * 1000:.1f}"
        return response

    return middleware
