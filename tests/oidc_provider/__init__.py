"""A real OpenID Connect provider for the tests: django-oauth-toolkit's, as a tiny
Django project of its own that a test starts in a separate process on loopback
(`serve.py`; the fixture is `tests/fixtures/oidc.py`). Its own settings and SQLite file
in a temporary folder, an RS256 key made at start, one confidential client with PKCE
required, RP-initiated logout on. Its sign-in page is a form that makes whoever is
typed (email, name, whether the email is verified) the provider's signed-in person."""
