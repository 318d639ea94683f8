"""The portal in headless Chromium (Debian's `chromium`, driven by Playwright), against the
real app on a real uvicorn on 127.0.0.1: sign-in with a second factor, every main page in
English and Arabic, axe-core accessibility checks (no serious or critical violation), and a
screenshot of each page under the pytest tmp dir.

Skips, saying why, when chromium or the `browser` extra (playwright, axe-playwright-python)
is missing; `.ci/run` installs both. One browser for the whole session.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from openceir.access import totp, users
from openceir.settings import Operator, Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect, dispose_all
from openceir.web import create_app
from tests.conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
PAGES = {
    "landing": ("/", None),
    "sign-in": ("/sign-in", None),
    "my-pages": ("/home", "analyst"),
    "audit-log": ("/admin/audit", "root"),
    "not-allowed": ("/admin/audit", "analyst"),
}
"""Main pages: name -> (path, account to view it as, None for a visitor). Lanes add theirs."""

BLOCKING = {"serious", "critical"}


def _requirements() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "the browser extra is not installed (pip install -e '.[browser]')"
    return None


pytestmark = pytest.mark.skipif(_requirements() is not None, reason=str(_requirements()))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, str | None]]]:
    """(base URL, TOTP secret per account) of the portal on uvicorn over a SQLite store."""
    root = tmp_path_factory.mktemp("browser")
    settings = Settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'store.sqlite'}",
        operators=[Operator(id="alpha", name="Alpha Mobile", mcc_mnc=["63901"])],
    )
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    secrets = {
        "admin": users.add_user(engine, "test", "admin", "admin", password=PASSWORD).totp_secret,
        "root": users.add_user(engine, "test", "root", "admin", password=PASSWORD).totp_secret,
        "analyst": users.add_user(
            engine, "test", "analyst", "analyst", password=PASSWORD, display_name="Amina Analyst"
        ).totp_secret,
    }
    app = create_app(
        settings, engine=engine, rate_limits={"public": "10000/minute", "sign-in": "10000/minute"}
    )
    with LiveServer(app) as base:
        yield base, secrets
    dispose_all()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go (printed by the test run's tmp dir, kept for review)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def states(browser, site) -> dict[str, dict]:
    """Signed-in browser state per account, each made once (a TOTP code works only once)."""
    made: dict[str, dict] = {}
    return made


def _context_as(browser, site, states, account: str | None, **options):
    """A new browser context, signed in as `account` (None: a visitor)."""
    base, secrets = site
    if account is None:
        return browser.new_context(**options)
    if account not in states:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/sign-in")
        page.locator("#username").fill(account)
        page.locator("#password").fill(PASSWORD)
        if secrets[account]:
            page.locator("#code").fill(totp.code_at(secrets[account]))
        page.locator("form.stack button[type=submit]").click()
        page.wait_for_url(f"{base}/home")
        states[account] = context.storage_state()
        context.close()
    return browser.new_context(storage_state=states[account], **options)


def test_admin_signs_in_with_a_one_time_code_and_out_again(browser, site) -> None:
    base, secrets = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/sign-in?next=/admin/audit")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()  # no code: refused
    assert page.get_by_role("alert").inner_text().startswith("Sign-in failed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(totp.code_at(secrets["admin"]))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin/audit")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["ceir_session"]["httpOnly"] and cookies["ceir_session"]["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("link", name="Sign in").count() >= 1
    context.close()


def test_the_language_switch_turns_the_page_right_to_left(browser, site) -> None:
    base, _ = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "السجل المركزي لهوية الأجهزة"
    page.goto(base + "/sign-in")
    assert page.locator("html").get_attribute("lang") == "ar", "the choice is remembered"
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_main_pages_are_accessible_in_english_and_arabic(
    browser, site, states, shots, name, lang
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, _ = site
    path, account = PAGES[name]
    context = _context_as(browser, site, states, account, viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(base + path)
    assert response is not None and response.status in (200, 403)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    page.screenshot(path=str(shots / f"{name}-{lang}.png"), full_page=True)
    assert not blocking, results.generate_report()
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, f"the page breaks its own CSP: {csp}"
    context.close()
