"""Settings of who signs in and what the app talks to beyond its own database: the
sign-in's lockout (django-axes), the company's identity provider (single sign-on) and
the webhooks' receivers. Read from the environment like
every setting; `config.settings` imports them all. `.env.example` documents each."""

import environ

env = environ.Env()

# Lock sign-in after repeated failures (django-axes), separately per email address and
# per client address: guessing one account's password and trying one password on many
# accounts are both stopped. The client address comes from core.client_ip, which
# reads X-Forwarded-For only as far as NUM_PROXIES trusts it; behind a proxy without
# NUM_PROXIES every visitor would share the proxy's address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per address as stored (lower-case), whatever spelling was typed.
AXES_USERNAME_CALLABLE = "teams.signin.axes_username"
# A success does not wipe the failures: with the per-address count, anyone could
# otherwise clear their address's count by signing in to their own account between guesses.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Single sign-on with the company's identity provider (OpenID Connect, Authlib's Django
# client: teams/sso/). Off unless OIDC_ISSUER and OIDC_CLIENT_ID are set; the README shows
# the values for Microsoft Entra ID, Google Workspace, Okta and Keycloak.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# A first sign-in creates an account only for these email domains (or an invitation).
OIDC_ALLOWED_DOMAINS = env.list("OIDC_ALLOWED_DOMAINS", default=[])
# Whom a refused person should ask, shown on the refusal page.
OIDC_ACCESS_CONTACT = env.str("OIDC_ACCESS_CONTACT", default="")
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_CLIENT_ID)
# Who keeps the password form when leaders require single sign-on (the way in when the
# provider is down).
SSO_BREAK_GLASS_EMAILS = env.list("SSO_BREAK_GLASS_EMAILS", default=[])


# Webhooks (webhooks/, docs/architecture.md)
# Hosts a webhook may reach although they are private or loopback, and over plain http
# (development and tests only, e.g. "127.0.0.1,localhost"); production leaves it empty.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# Retries stop this long after an event (then failed; the endpoint paused if nothing
# reached it meanwhile), each at most WEBHOOK_RETRY_MAX_DELAY after the one before.
WEBHOOK_RETRY_FOR = env.int("WEBHOOK_RETRY_FOR", default=24 * 60 * 60)
WEBHOOK_RETRY_MAX_DELAY = env.int("WEBHOOK_RETRY_MAX_DELAY", default=60 * 60)
# A claim older than this belonged to a worker that died: the sweep gives it back. Over
# a send batch's worst case (20 deliveries x the timeouts).
WEBHOOK_CLAIM_TIMEOUT = env.int("WEBHOOK_CLAIM_TIMEOUT", default=600)
WEBHOOK_REENQUEUE_AFTER = env.int("WEBHOOK_REENQUEUE_AFTER", default=900)
