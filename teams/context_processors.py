from django.http import HttpRequest

from teams.access import is_leader


def roles(request: HttpRequest) -> dict[str, bool]:
    return {"user_is_leader": is_leader(request.user)}
