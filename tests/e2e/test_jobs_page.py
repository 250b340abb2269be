"""The Jobs page in a browser, with a real worker: an administrator starts the audit-log
verification and watches it finish without reloading (htmx polls the table while a job is
queued or running, and stops once none is)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect


def test_an_administrator_watches_the_audit_verification_finish(
    world: Any, login: Any, start_worker: Any
) -> None:
    page = login(world.admin)
    page.get_by_role("link", name="Jobs").click()
    expect(page.get_by_text("You have not started any job.")).to_be_visible()

    page.get_by_role("button", name="Verify the audit log").click()

    expect(page.get_by_role("status")).to_contain_text("The job is queued.")
    row = page.locator("#jobs tbody tr").first
    expect(row).to_contain_text("Verify the audit log")
    expect(row).to_contain_text("Queued")
    expect(page.locator("#jobs")).to_have_attribute("data-hx-trigger", "every 2s")

    start_worker()  # no reload from here: the table refreshes itself until the job ends
    expect(row).to_contain_text("Succeeded", timeout=60_000)
    expect(row).to_contain_text(re.compile(r"\d+ entries verified: the chain is intact"))
    progress = row.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    expect(page.locator("#jobs")).not_to_have_attribute("data-hx-trigger", re.compile(".*"))
