"""The app's URLs plus the trivial view that measures the stack's ceiling."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok", ok, name="bench-ok"), *app_urlpatterns]
