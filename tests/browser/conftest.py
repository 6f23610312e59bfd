"""Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures:
- `browser`: one headless Chromium per test session (executable /usr/bin/chromium).
- `page`: a fresh desktop-sized page; `phone_page`: a phone-sized one (390x844, touch).
- `sign_in_page(page, user)`: puts a signed-in session (two-factor passed) into the page's
  context without going through the form, for tests that are about something else.
- `assert_axe_clean(page)`: runs axe-core (from node_modules) and fails on serious or critical
  violations.
Every page also fails its test if the browser reports a Content-Security-Policy violation or a
JavaScript error: the portal must work under its strict CSP.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make in
# between are ordinary synchronous calls, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SOURCE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
ARTIFACTS = Path(settings.BASE_DIR, "test-artifacts")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # One browser per worker; keep a file's tests together.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _watch_for_errors(page, problems: list[str]) -> None:
    def on_console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            problems.append(f"CSP: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))


def _new_page(browser, live_server, **context_args):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    _watch_for_errors(page, problems)
    return context, page, problems


@pytest.fixture
def page(browser, live_server):
    context, page, problems = _new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def phone_page(browser, live_server):
    context, page, problems = _new_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def new_page(browser, live_server):
    """A factory for extra pages (a second person in the same test)."""
    opened = []

    def _make(phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context, page, problems = _new_page(browser, live_server, viewport=viewport, is_mobile=phone, has_touch=phone)
        opened.append((context, problems))
        return page

    yield _make
    for context, problems in opened:
        context.close()
        assert not problems, problems


@pytest.fixture
def sign_in_page(live_server):
    def _sign_in(page, user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if user.requires_two_factor:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
        )

    return _sign_in


@pytest.fixture
def assert_axe_clean():
    source = AXE_SOURCE.read_text()

    def _check(page, name: str | None = None) -> None:
        # Audit a settled document: a click just before may still be navigating.
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(3):
            page.wait_for_load_state("load")
            page.wait_for_function("() => document.readyState === 'complete' && !!document.documentElement")
            try:
                page.evaluate(source)
                result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
                break
            except PlaywrightError as error:
                # A navigation that started after the wait replaced the document mid-audit: audit the new one.
                if attempt == 2 or "context was destroyed" not in str(error):
                    raise
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        if name:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in serious
        ]
        assert not serious, "axe-core found serious accessibility problems:\n" + "\n".join(details)

    return _check
