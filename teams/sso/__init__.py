"""Single sign-on with the company's identity provider (OpenID Connect).

`client` talks to the provider through Authlib's Django client (discovery, the
authorization code flow with PKCE, state, nonce, the ID token's signature and claims);
`services` decides what a verified sign-in may do to accounts and writes the audit log;
`policy` says whether the password form is still open; `views` and `urls` are the pages.
"""
