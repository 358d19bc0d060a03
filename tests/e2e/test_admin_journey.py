"""Journey in Chromium: an administrator opens the dashboard, follows a flagged item to its
analysis and retires it there."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learners.roles import Role
from quizbank.models import ItemStatistics, Question, Status
from quizbank.starter import load_starter_bank
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_follows_a_flagged_item_from_the_dashboard_and_retires_it(page: Page) -> None:
    admin = make_user("ada-admin", Role.ADMIN)
    assert load_starter_bank(by=admin).errors == []
    flagged = Question.objects.published().order_by("pk").first()
    assert flagged is not None and flagged.current_version_id is not None
    ItemStatistics.objects.create(
        question=flagged,
        version_id=flagged.current_version_id,
        attempts=40,
        facility=0.975,
        discrimination=0.05,
        option_shares={},
        mean_seconds=41.0,
        flags=["too_easy", "low_discrimination"],
        computed_at=timezone.now(),
    )

    page.goto("/admin/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Operations", level=2)).to_be_visible()
    # The worker probe replaces its placeholder once the page has loaded (htmx, under the CSP).
    expect(page.locator("#workers-online")).to_contain_text(re.compile(r"online: (none|\d)"))
    expect(page.locator("#workers-online")).not_to_contain_text("ask the workers")
    table = page.locator("#flagged-items")
    expect(table).to_contain_text("Too easy")
    table.get_by_role("link", name=flagged.lead_in[:60]).click()

    expect(page.get_by_role("heading", name="Item analysis", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(flagged.lead_in)
    page.get_by_label("Reason").fill("Too easy to teach anything; rewrite it.")
    page.get_by_role("button", name="Retire").click()

    expect(page.locator("main")).to_contain_text("Retired")
    flagged.refresh_from_db()
    assert flagged.status == Status.RETIRED
    # Back on the dashboard, the retired item is no longer flagged.
    page.goto("/admin/")
    expect(page.locator("#flagged-items")).to_have_count(0)
    expect(page.get_by_text("No item is flagged.")).to_be_visible()
