from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

FORM = """<!doctype html><title>Test identity provider</title>
<h1>Test identity provider</h1>
<form method="post">
<input type="hidden" name="next" value="{next}">
<label for="email">Email</label> <input id="email" name="email" type="email">
<label for="name">Name</label> <input id="name" name="name">
<label><input type="checkbox" name="verified" checked> Email verified</label>
<button type="submit">Continue</button>
</form>"""


@csrf_exempt  # a test provider's page; the app under test is what the tests examine
def sign_in(request):
    """Whoever is typed becomes the provider's signed-in person (created on first use)."""
    if request.method == "POST":
        email = request.POST["email"].strip().lower()
        user, _ = get_user_model().objects.get_or_create(username=email)
        user.email = email
        user.first_name = request.POST.get("name", "")
        user.last_name = "" if request.POST.get("verified") else "unverified"
        user.save()
        login(request, user)
        target = request.POST.get("next", "/")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return HttpResponseRedirect(target)
    return HttpResponse(FORM.format(next=escape(request.GET.get("next", "/"))))


def whoami(request):
    return HttpResponse(request.user.username if request.user.is_authenticated else "")


urlpatterns = [
    path("login/", sign_in),
    path("whoami/", whoami),
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
