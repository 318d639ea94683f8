"""The web OpenAPI document states the answers the app gives: 400/401/403/404/413, no 422."""

from __future__ import annotations

from tests.web.conftest import Portal


def test_openapi_documents_real_errors_and_never_422(portal: Portal) -> None:
    document = portal.client(accept="application/json").get("/api/v1/openapi.json").json()
    assert "ProblemDetails" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    codes = {
        (path, method): set(op["responses"])
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert all("422" not in found for found in codes.values())
    runs = codes[("/api/v1/lists/runs/{run}/files/{name}", "get")]
    assert {"200", "400", "401", "403", "404"} <= runs
    assert {"400", "401", "413"} <= codes[("/api/v1/oauth2/token", "post")]
    assert {"413"} <= codes[("/ledger/witness/add-checkpoint", "post")]
    token = document["paths"]["/api/v1/oauth2/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert not [p for p in document["paths"] if p in ("/", "/sign-in", "/admin/audit")]
