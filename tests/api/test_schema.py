"""The OpenAPI schema is valid OpenAPI 3 (openapi-spec-validator), names every endpoint,
and the docs page serves its scripts and styles from this server only."""

import json
import re

import pytest
from ninja.responses import NinjaJSONEncoder
from openapi_spec_validator import validate

from api.http import api


def test_the_schema_validates():
    # As served: JSON, whose keys are strings.
    schema = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/cycles",
        "/api/v1/cycles/active/company-okr",
        "/api/v1/teams",
        "/api/v1/teams/{slug}/objective",
        "/api/v1/teams/{slug}/checkins",
        "/api/v1/teams/{slug}/checkins/{week}",
        "/api/v1/teams/{slug}/experiments",
        "/api/v1/key-results/{key_result_id}/values",
        "/api/v1/objectives/{objective_id}/comments",
    } <= paths
    write = schema["paths"]["/api/v1/key-results/{key_result_id}/values"]["post"]
    assert {"201", "401", "403", "404", "409", "422", "429"} <= set(write["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in write["parameters"])


@pytest.mark.django_db
def test_the_served_schema_is_the_same(client_for, member):
    response = client_for(member).get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json())


@pytest.mark.django_db
def test_the_docs_load_nothing_from_elsewhere(client_for, member):
    response = client_for(member).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html.replace('<script type="application/json"', "")
    # Django's CSP allows scripts from this server (and nonces) only.
    csp = response.get("Content-Security-Policy", "")
    assert "cdn" not in csp
    for source in sources:
        assert client_for(member).get(source).status_code in (200, 304), source
