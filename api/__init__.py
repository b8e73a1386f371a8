"""The JSON API (`/api/v1/`) and its tokens: a layer above `checkins`, beside
`dashboard`, calling the same services, selectors and `access` modules as the pages."""
