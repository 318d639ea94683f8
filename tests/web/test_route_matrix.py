"""Every route of the app, asked by a visitor and by every role: the expected answer, no 500.

The table is checked against the app's own route table, both ways: a route that has no entry
here fails (so a new page cannot be forgotten), and so does an entry for a route that is gone.
A lane adding a route adds its line: the URL to ask, the default answer, and the answers that
differ by role (`"none"` is a visitor without a session; names are `conftest.ACCOUNTS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.web.conftest import ACCOUNTS, Portal, csrf_of, route_table

STAFF = {name: 200 for name in ACCOUNTS}
SIGNED_OUT_REDIRECT = {"none": 303}


@dataclass(frozen=True)
class Expect:
    """How a route answers: `url` to ask, `default` status, and `by` principal overrides."""

    url: str
    default: int
    by: dict[str, int] = field(default_factory=dict)
    form: dict[str, str] | None = None

    def status_for(self, who: str) -> int:
        """The expected status for principal `who`."""
        return self.by.get(who, self.default)


EXPECTED: dict[tuple[str, str], Expect] = {
    # portal
    ("GET", "/"): Expect("/", 200),
    ("GET", "/home"): Expect("/home", 200, SIGNED_OUT_REDIRECT),
    ("GET", "/sign-in"): Expect("/sign-in", 303, {"none": 200}),
    ("POST", "/sign-in"): Expect("/sign-in", 401, form={"username": "x", "password": "y"}),
    ("POST", "/sign-out"): Expect("/sign-out", 303, form={}),
    ("POST", "/language"): Expect("/language", 303, form={"lang": "fr", "next": "/"}),
    ("GET", "/admin/audit"): Expect("/admin/audit", 403, {"none": 303, "admin": 200}),
    ("GET", "/static"): Expect("/static/portal.css", 200),
    # API and standard interfaces: machine clients, sessions change nothing
    ("GET", "/api/v1/openapi.json"): Expect("/api/v1/openapi.json", 200),
    ("GET", "/api/v1/health"): Expect("/api/v1/health", 200),
    ("POST", "/api/v1/oauth2/token"): Expect("/api/v1/oauth2/token", 400, form={}),
    ("GET", "/api/handles/{prefix}/{suffix}"): Expect(
        "/api/handles/21.T99999/IMEI.352099001761481", 404
    ),
    ("GET", "/ledger/checkpoint"): Expect("/ledger/checkpoint", 404),
    ("GET", "/ledger/log.vkey"): Expect("/ledger/log.vkey", 404),
    ("GET", "/ledger/tile/{rest:path}"): Expect("/ledger/tile/0/000", 404),
    ("GET", "/ledger/proof/{imei}"): Expect("/ledger/proof/35209900176148", 404),
    ("POST", "/ledger/witness/add-checkpoint"): Expect(
        "/ledger/witness/add-checkpoint", 404, form={}
    ),
    ("GET", "/api/v1/lists/key"): Expect("/api/v1/lists/key", 404),
    ("GET", "/api/v1/lists/runs"): Expect("/api/v1/lists/runs", 401),
    ("GET", "/api/v1/lists/runs/{run}"): Expect("/api/v1/lists/runs/20261128T101500Z", 401),
    ("GET", "/api/v1/lists/runs/{run}/manifest"): Expect(
        "/api/v1/lists/runs/20261128T101500Z/manifest", 401
    ),
    ("GET", "/api/v1/lists/runs/{run}/files/{name}"): Expect(
        "/api/v1/lists/runs/20261128T101500Z/files/blacklist.csv", 401
    ),
}


def test_every_route_has_an_expected_answer_and_no_entry_is_stale(portal: Portal) -> None:
    routes = {(method, path) for method, path, _ in route_table(portal.app)}
    missing = sorted(routes - set(EXPECTED))
    stale = sorted(set(EXPECTED) - routes)
    assert not missing, f"routes without an entry in EXPECTED: {missing}"
    assert not stale, f"entries in EXPECTED for routes the app no longer has: {stale}"


def test_route_by_role_matrix(portal: Portal) -> None:
    """Each route, each principal: the expected status (never a 500)."""
    wrong: list[str] = []
    for who in ["none", *ACCOUNTS]:
        for (method, template), expect in sorted(EXPECTED.items()):
            client = portal.client() if who == "none" else portal.session_for(who)
            if method == "GET":
                response = client.get(expect.url)
            else:
                token = csrf_of(client.get("/").text)
                response = client.post(
                    expect.url, data={"csrf_token": token, **(expect.form or {})}
                )
            assert response.status_code < 500, (who, method, template, response.text[:300])
            if response.status_code != expect.status_for(who):
                wrong.append(
                    f"{who} {method} {template}: {response.status_code}, "
                    f"expected {expect.status_for(who)}"
                )
    assert not wrong, "\n".join(wrong)


def test_signed_out_pages_send_to_sign_in_and_come_back(portal: Portal) -> None:
    response = portal.client().get("/admin/audit")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/admin/audit"
