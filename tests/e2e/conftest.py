"""A real browser for the journeys: Playwright driving Debian's Chromium against live_server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for the e2e package; missing, it skips the journeys (or fails them in CI)."""
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop in the test thread while the browser lives;
    # Django would otherwise refuse the tests' own ORM calls, and the flush between tests.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@contextmanager
def watched_page(browser: Browser, live_server: LiveServer, **options: Any) -> Iterator[Page]:
    """Open a page in a fresh browser context; fail the test on any CSP violation."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    opened.on("console", watch)
    yield opened
    context.close()
    assert violations == [], violations


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context on the live server; fails the test on any CSP violation."""
    with watched_page(browser, live_server) as opened:
        yield opened
