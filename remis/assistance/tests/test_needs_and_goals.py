"""Needs and goals entered by mistake are reworded or removed while the version is being
written; what was paid or planned under them is never lost on the way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.assistance import actions
from remis.assistance.models import AssistanceItem, Goal, Need
from remis.assistance.tests.factories import approved_plan, draft_plan
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD
from remis.lib.errors import Conflict, TransitionRefused

pytestmark = pytest.mark.django_db


def test_a_need_is_reworded_through_the_page_and_audited(client, world, case):
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    assert client.login(username=world.bob.username, password=PASSWORD)
    response = client.post(
        reverse("plan_detail", args=[case.uuid]),
        {
            "step": "need_change",
            "number": version.number,
            "need": need.pk,
            "expected_version": version.version,
            "dimension": "social",
            "description": "No housing since return",
        },
    )
    assert response.status_code == 302 and response.url.endswith(f"#need-{need.pk}")
    need.refresh_from_db()
    assert (need.dimension, need.description) == ("social", "No housing since return")
    entry = AuditEntry.objects.get(action="assistance.need_change")
    assert entry.changes["dimension"] == ["economic", "social"]


def test_a_need_reworded_from_an_outdated_page_says_so_with_what_was_typed(client, world, case):
    """A colleague reworded the need first: the second rewording was dropped, and the
    message said reloading would send the form again, on a page reached by a redirect."""
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    read = version.version
    actions.change_need(
        world.bob, need, dimension="social", description="First wording", expected_version=read
    )
    assert client.login(username=world.bob.username, password=PASSWORD)
    answer = client.post(
        reverse("plan_detail", args=[case.uuid]),
        {
            "step": "need_change",
            "number": version.number,
            "need": need.pk,
            "expected_version": read,
            "dimension": "social",
            "description": "Second wording",
        },
        follow=True,
    )
    text = answer.content.decode()
    assert "Someone else changed this plan after you opened it: nothing was saved." in text
    assert "What you typed: Need “Second wording”." in text and "reloading" not in text
    need.refresh_from_db()
    assert need.description == "First wording"


def test_a_need_saved_untouched_changes_nothing(world, case):
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    actions.change_need(
        world.bob,
        need,
        dimension=need.dimension,
        description=need.description,
        expected_version=version.version,
    )
    version.refresh_from_db()
    assert not AuditEntry.objects.filter(action="assistance.need_change").exists()
    # The version did not move: a colleague's edit from the same read still goes through.
    actions.change_goal(
        world.bob,
        Goal.objects.get(need=need),
        description="Another wording",
        expected_version=version.version,
    )


def test_a_need_or_goal_with_items_is_not_removed_and_says_why(client, world, case):
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    goal = Goal.objects.get(need=need)
    with pytest.raises(TransitionRefused):
        actions.remove_need(world.bob, need, expected_version=version.version)
    with pytest.raises(TransitionRefused):
        actions.remove_goal(world.bob, goal, expected_version=version.version)
    assert AssistanceItem.objects.filter(goal=goal).exists()
    assert client.login(username=world.bob.username, password=PASSWORD)
    response = client.post(
        reverse("plan_detail", args=[case.uuid]),
        {"step": "goal_remove", "number": 1, "goal": goal.pk, "expected_version": version.version},
        follow=True,
    )
    assert "still has assistance items: remove them first" in response.content.decode()


def test_an_empty_need_is_removed_with_its_goals(world, case):
    version = draft_plan(world.bob, case)
    extra = actions.add_need(world.bob, version, dimension="social", description="Typed twice")
    actions.add_goal(world.bob, extra, description="Also twice")
    version.refresh_from_db()
    actions.remove_need(world.bob, extra, expected_version=version.version)
    assert not Need.objects.filter(pk=extra.pk).exists()
    assert not Goal.objects.filter(description="Also twice").exists()
    assert AuditEntry.objects.filter(action="assistance.need_remove").exists()


def test_an_edit_from_an_outdated_read_is_refused(world, case):
    version = draft_plan(world.bob, case)
    need = version.needs.get()
    stale = version.version
    actions.add_need(world.bob, version, dimension="social", description="Added meanwhile")
    with pytest.raises(Conflict):
        actions.change_need(world.bob, need, dimension="social", description="Late", expected_version=stale)


def test_an_approved_version_is_not_changed(world, case, manon):
    version = approved_plan(world, case, manon)
    need = version.needs.get()
    with pytest.raises(TransitionRefused):
        actions.remove_need(world.bob, need, expected_version=version.version)


def test_the_case_history_reads_plan_changes_as_sentences(client, world, case):
    draft_plan(world.bob, case)
    assert client.login(username=world.bob.username, password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    history = page[page.index('id="history"') :]
    assert "A ajouté un besoin au plan" in history and ">assistance.need_add<" not in history
