"""One error shape on every route: ProblemDetails for the API, a page for the portal.

Walks the app's own route table: every JSON route is asked something it must refuse (an
unknown method, and a bad path or parameter where it has one) and must answer RFC 9457
ProblemDetails; every portal page asked by a browser answers errors as an HTML page.
"""

from __future__ import annotations

from openceir.web.errors import MAX_DETAIL, MAX_INVALID, PROBLEM_JSON
from tests.web.conftest import Portal, route_table

# Standard interfaces whose specifications fix another error shape.
OTHER_SHAPE = {
    "/api/handles/{prefix}/{suffix}": "Handle System REST API (responseCode JSON)",
    "/ledger/witness/add-checkpoint": "C2SP tlog-witness (text/plain)",
    "/api/v1/oauth2/token": "RFC 6749 §5.2 (error JSON)",
}


def _is_problem(response) -> bool:
    if response.headers.get("content-type") != PROBLEM_JSON:
        return False
    body = response.json()
    return (
        set(body) >= {"type", "title", "status", "detail"}
        and body["status"] == response.status_code
        and isinstance(body["detail"], str)
    )


def _sample(path: str) -> str:
    return (
        path.replace("{rest:path}", "no/such/thing")
        .replace("{prefix}", "0.NA")
        .replace("{suffix}", "bad")
        .replace("{", "")
        .replace("}", "")
    )


def test_every_json_route_answers_errors_as_problem_details(portal: Portal) -> None:
    client = portal.client(accept="application/json")
    checked = 0
    for method, path, documented in route_table(portal.app):
        if not documented or path in OTHER_SHAPE:
            continue
        url = _sample(path)
        wrong_method = client.request("DELETE", url)
        assert wrong_method.status_code == 405, (path, wrong_method.status_code)
        assert _is_problem(wrong_method), (path, wrong_method.text[:200])
        assert "GET" in wrong_method.headers.get("allow", "") or method == "POST"
        response = client.request(method, url)
        assert response.status_code >= 400 or "{" not in path, (path, response.status_code)
        if response.status_code >= 400:
            assert _is_problem(response), (path, response.text[:200])
        checked += 1
    assert checked >= 10


def test_portal_pages_answer_errors_as_pages(portal: Portal) -> None:
    browser = portal.client()
    for _method, path, documented in route_table(portal.app):
        if documented or path.startswith(("/api/", "/static")):
            continue
        response = browser.request("DELETE", path)
        assert response.status_code == 405, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "<main" in response.text
    missing = browser.get("/no-such-page")
    assert missing.status_code == 404 and "<main" in missing.text
    assert portal.client(accept="*/*").get("/no-such-page").headers["content-type"] == PROBLEM_JSON


def test_thousands_of_bad_parameters_give_a_small_error(portal: Portal) -> None:
    many = 7_000  # the 12,000 exceed what httpx lets a URL hold; the bound is the same
    query = "&".join(["index=x"] * many)
    response = portal.client(accept="application/json").get(
        "/api/handles/21.T99999/IMEI.352099001761481?" + query
    )
    assert response.status_code == 400 and _is_problem(response)
    body = response.json()
    assert len(body["invalidParams"]) == MAX_INVALID
    assert body["detail"].endswith(f"and {many - MAX_INVALID} more invalid parameters")
    assert len(response.content) < MAX_DETAIL + 3000
