"""The portal's forms through the real app: sign-in with a second factor, CSRF, expiry,
lockout without enumeration, rate limits, the language switch, security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from openceir.access import sessions, totp
from openceir.store.models import AuditEntry
from openceir.store.session import session_scope
from openceir.store.users import UserRow, WebSessionRow
from openceir.web.headers import CSP
from openceir.web.portal.guard import SESSION_COOKIE
from tests.web.conftest import PASSWORD, Portal, csrf_of, make_portal

REFUSED = "Sign-in failed: check your user name, password and one-time code."


def _actions(portal: Portal) -> list[tuple[str, str]]:
    with session_scope(portal.engine) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(r.actor, r.action) for r in rows]


def test_admin_signs_in_with_totp_and_the_session_rotates(portal: Portal) -> None:
    portal.account("admin")
    client = portal.client()
    client.get("/sign-in")
    client.cookies.set(SESSION_COOKIE, "a-planted-session-id")  # session fixation attempt
    response = portal.sign_in(client, "admin", next="/admin/audit")
    assert response.status_code == 303 and response.headers["location"] == "/admin/audit"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = response.cookies.get(SESSION_COOKIE)
    assert token and token != "a-planted-session-id"
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "sign-in" in page.text
    assert ("user:admin", "sign-in") in _actions(portal)


def test_admin_without_the_code_or_with_a_reused_code_is_refused(portal: Portal) -> None:
    portal.account("admin")
    client = portal.client()
    no_code = portal.sign_in(client, "admin", code="")
    assert no_code.status_code == 401 and REFUSED in no_code.text
    code = totp.code_at(portal.secrets["admin"])
    assert portal.sign_in(client, "admin", code=code).status_code == 303
    replay = portal.sign_in(portal.client(), "admin", code=code)
    assert replay.status_code == 401, "a TOTP code must work once"


def test_https_sign_in_sets_a_secure_cookie(portal: Portal) -> None:
    portal.account("analyst")
    client = portal.client()
    client.base_url = "https://testserver"
    response = portal.sign_in(client, "analyst")
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]
    assert "strict-transport-security" in response.headers


def test_forms_without_or_with_a_wrong_csrf_token_are_refused(portal: Portal) -> None:
    portal.account("analyst")
    client = portal.client()
    client.get("/sign-in")
    form = {"username": "analyst", "password": PASSWORD, "code": "", "next": "/home"}
    missing = client.post("/sign-in", data=form)
    assert (
        missing.status_code == 403 and "has expired or did not come from this site" in missing.text
    )
    wrong = client.post("/sign-in", data={**form, "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    other_browser = csrf_of(portal.client().get("/sign-in").text)
    assert client.post("/sign-in", data={**form, "csrf_token": other_browser}).status_code == 403
    assert SESSION_COOKIE not in client.cookies
    assert not [a for a in _actions(portal) if a[1] == "sign-in"]


def test_signed_in_form_needs_the_sessions_own_token(portal: Portal) -> None:
    client = portal.session_for("analyst")
    anonymous_token = csrf_of(portal.client().get("/").text)
    refused = client.post("/sign-out", data={"csrf_token": anonymous_token})
    assert refused.status_code == 403
    assert client.get("/home").status_code == 200, "the session must survive a forged sign-out"
    token = csrf_of(client.get("/home").text)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 303
    assert client.get("/home").status_code == 303


def test_idle_and_absolute_expiry_end_the_session(portal: Portal) -> None:
    client = portal.session_for("analyst")
    token = csrf_of(client.get("/home").text)
    with session_scope(portal.engine) as session:
        session.execute(
            update(WebSessionRow).values(
                last_seen_at=datetime.now(UTC) - sessions.IDLE - timedelta(seconds=1)
            )
        )
    assert client.get("/home").status_code == 303
    expired_form = client.post("/language", data={"csrf_token": token, "lang": "fr"})
    assert expired_form.status_code == 403, "a form of an expired session is refused"

    again = portal.session_for("analyst")
    with session_scope(portal.engine) as session:
        session.execute(update(WebSessionRow).values(expires_at=datetime.now(UTC)))
    assert again.get("/home").status_code == 303


def test_lockout_after_failures_says_nothing_an_attacker_can_use(portal: Portal) -> None:
    portal.account("analyst")
    client = portal.client()
    for _ in range(5):
        failed = portal.sign_in(client, "analyst", password="wrong password!")
        assert failed.status_code == 401 and REFUSED in failed.text
    locked = portal.sign_in(client, "analyst")  # right password, but locked
    unknown = portal.sign_in(client, "nobody-here")
    assert locked.status_code == unknown.status_code == 401
    assert REFUSED in locked.text and REFUSED in unknown.text
    assert "locked" not in locked.text.lower()
    with session_scope(portal.engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == "analyst"))
        assert row.failed_sign_ins == 5 and row.locked_until is not None
        row.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # the lock runs out
    assert portal.sign_in(client, "analyst").status_code == 303


def test_disabled_account_cannot_sign_in_and_loses_its_session(portal: Portal) -> None:
    from openceir.access.users import set_disabled

    client = portal.session_for("customs")
    assert client.get("/home").status_code == 200
    set_disabled(portal.engine, "test", "customs")
    assert client.get("/home").status_code == 303
    assert portal.sign_in(portal.client(), "customs").status_code == 401


def test_sign_in_is_rate_limited_per_client(settings) -> None:
    portal = make_portal(settings, rate_limits={"sign-in": "3/minute", "public": "100/minute"})
    client = portal.client()
    token = csrf_of(client.get("/sign-in").text)
    form = {"csrf_token": token, "username": "x", "password": "y"}
    answers = [client.post("/sign-in", data=form).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    last = client.post("/sign-in", data=form)
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    assert "Too many requests" in last.text


def test_public_pages_are_rate_limited(settings) -> None:
    portal = make_portal(settings, rate_limits={"public": "2/minute"})
    client = portal.client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_language_switch_is_remembered_and_arabic_is_right_to_left(portal: Portal) -> None:
    client = portal.client()
    assert '<html lang="en" dir="ltr">' in client.get("/").text
    token = csrf_of(client.get("/").text)
    switched = client.post(
        "/language", data={"csrf_token": token, "lang": "ar", "next": "/sign-in"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/sign-in"
    page = client.get("/sign-in").text
    assert '<html lang="ar" dir="rtl">' in page and "تسجيل الدخول" in page
    french = portal.client(**{"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}).get("/").text
    assert '<html lang="fr"' in french and "Registre central" in french
    odd = client.post("/language", data={"csrf_token": token, "lang": "xx", "next": "//evil"})
    assert odd.headers["location"] == "/" and '<html lang="ar"' in client.get("/").text


def test_pages_carry_csp_and_the_usual_security_headers(portal: Portal) -> None:
    response = portal.client().get("/")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in response.text and " style=" not in response.text


def test_landing_page_is_html_with_sign_in_not_a_json_404(portal: Portal) -> None:
    response = portal.client(accept="*/*").get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/sign-in"' in response.text and "<main" in response.text


def test_audit_page_searches_and_is_itself_audited(portal: Portal) -> None:
    portal.account("analyst")
    portal.sign_in(portal.client(), "analyst", password="wrong one here")
    admin = portal.session_for("admin")
    page = admin.get("/admin/audit", params={"action": "sign-in.failed"})
    assert page.status_code == 200 and "user:analyst" in page.text
    assert "1 entry found." in page.text
    none = admin.get("/admin/audit", params={"actor": "nobody"})
    assert "0 entries found." in none.text
    bad = admin.get("/admin/audit", params={"since": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
    assert ("user:admin", "audit.search") in _actions(portal)
    assert portal.session_for("analyst").get("/admin/audit").status_code == 403
