"""Start the test provider: `python -m tests.oidc_provider.serve PORT CLIENT_ID SECRET
REDIRECT_URIS POST_LOGOUT_URIS` with PROVIDER_DB and PROVIDER_RSA_KEY in the
environment. Migrates its SQLite file, registers the client, serves until killed and
prints "ready" once it listens."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    port, client_id, secret, redirect_uris, logout_uris = sys.argv[1:6]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0)
    get_application_model().objects.create(
        name="Lean OKRs",
        client_id=client_id,
        client_secret=secret,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=logout_uris,
        algorithm="RS256",
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1",
        int(port),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
