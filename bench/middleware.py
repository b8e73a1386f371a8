"""Counts the SQL queries behind each response (X-Bench-Queries), for `make bench`."""

from django.db import connection


def count_queries(get_response):
    def middleware(request):
        executed = []

        def wrapper(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = get_response(request)
        response["X-Bench-Queries"] = str(len(executed))
        return response

    return middleware
