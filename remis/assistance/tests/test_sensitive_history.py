"""The history masks what the plan page masks: an item's description is in its type's
group, a psychosocial need and its goals are psychosocial information; and a hidden field
is never named in it (one line stands for all of an entry's hidden fields)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from remis.accounts.models import Role
from remis.assistance import actions
from remis.cases.tests.factories import make_user

pytestmark = pytest.mark.django_db

SECRET_NEED = "Nightmares since detention"
SECRET_GOAL = "Weekly trauma counselling"
SECRET_ITEM = "Psychotherapy, eight sessions"


@pytest.fixture
def reader(world: Any) -> Any:
    Role.objects.create(code="plain_reader", name="Reader", permissions=["case.view"])
    return make_user("rita", world.gn_partner, "plain_reader", ["GN"])


def _history(client: Any, user: Any, case: Any) -> str:
    client.force_login(user)
    return client.get(reverse("case_detail", args=[case.uuid]), {"open": "history"}).text


def _psychosocial_plan(world: Any, case: Any, **item: Any) -> tuple[Any, Any, Any, Any]:
    """A plan whose one need is psychosocial, with a goal and an item of 90 EUR."""
    version = actions.start_plan(world.bob, case).latest
    assert version is not None
    need = actions.add_need(world.bob, version, dimension="psychosocial", description=SECRET_NEED)
    goal = actions.add_goal(world.bob, need, description=SECRET_GOAL)
    added = actions.add_item(world.bob, goal, actions.ItemData(amount="90", currency="EUR", **item))
    return version, need, goal, added


def test_psychosocial_needs_goals_and_item_descriptions_are_masked_in_the_history(
    client, world, case, reader
):
    version, need, goal, item = _psychosocial_plan(
        world, case, kind="psychosocial_counselling", modality="service", description=SECRET_ITEM
    )
    economic = actions.add_need(
        world.bob, version, dimension="economic", description="No income since return"
    )
    seen = _history(client, reader, case)
    for secret in (SECRET_NEED, SECRET_GOAL, SECRET_ITEM):
        assert secret not in seen
    assert "No income since return" in seen  # an economic need is no sensitive information
    assert "Details in a restricted group" in seen
    # Removed, they stay masked: read from what their entries logged.
    actions.remove_item(world.bob, item, expected_version=None)
    actions.remove_goal(world.bob, goal)
    actions.remove_need(world.bob, need)
    seen = _history(client, reader, case)
    for secret in (SECRET_NEED, SECRET_GOAL, SECRET_ITEM):
        assert secret not in seen
    shown = _history(client, world.bob, case)  # a holder of the group reads them
    for secret in (SECRET_NEED, SECRET_GOAL, SECRET_ITEM):
        assert secret in shown
    assert economic.pk


def test_a_medical_pre_departure_need_is_masked_and_a_hidden_field_is_never_named(client, world, carol):
    from remis.cases import actions as case_actions
    from remis.cases.tests.factories import register

    case = register(world)
    case_actions.add_need(world.alice, case, kind="medical", description="Wheelchair at the airport")
    case_actions.add_need(world.alice, case, kind="shelter", description="A bed for two nights")
    client.force_login(carol)  # an M&E officer: no health group
    seen = client.get(reverse("case_detail", args=[case.uuid]), {"open": "history"}).text
    assert "Wheelchair at the airport" not in seen and "A bed for two nights" in seen


def test_a_psychosocial_need_and_its_goals_are_masked_on_the_plan_pages_and_in_the_api(
    client, api_client, world, case, reader
):
    _version, _need, _goal, item = _psychosocial_plan(world, case, kind="business_setup", modality="cash")
    client.force_login(reader)
    pages = [
        client.get(reverse("plan_detail", args=[case.uuid])).text,
        client.get(reverse("plan_item", args=[case.uuid, item.pk])).text,
        client.get(reverse("case_detail", args=[case.uuid])).text,
    ]
    for page in pages:
        assert SECRET_NEED not in page and SECRET_GOAL not in page and "Restricted" in page
    read = api_client.as_(reader).get(f"/plans/cases/{case.uuid}/versions/1").json()
    assert read["needs"][0]["restricted"] is True and read["needs"][0]["dimension"] is None
    assert SECRET_NEED not in str(read) and SECRET_GOAL not in str(read)
    client.force_login(world.bob)  # holding the psychosocial group: read in clear
    assert SECRET_NEED in client.get(reverse("plan_detail", args=[case.uuid])).text


def _history_rows(page: str, action: str) -> list[str]:
    """The history's rows for `action` ("Changed an assistance item"), as text."""
    import re

    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", row) for row in rows if action in row]


def test_the_history_names_the_assistance_item_each_entry_is_about_unless_its_type_is_hidden(
    client, world, case, reader
):
    _version, _need, goal, hidden = _psychosocial_plan(
        world, case, kind="psychosocial_counselling", modality="service", description=SECRET_ITEM
    )
    shown = actions.add_item(
        world.bob,
        goal,
        actions.ItemData(kind="business_setup", modality="cash", amount="300", currency="EUR"),
    )
    for item, amount in ((shown, "350"), (hidden, "120")):
        actions.update_item(
            world.bob,
            item,
            actions.ItemData(
                kind=item.kind.code,
                modality=item.modality,
                amount=amount,
                currency="EUR",
                description=item.description,
            ),
            expected_version=None,
        )
    changed = _history_rows(_history(client, world.bob, case), "Changed an assistance item")
    # Two items changed: each row says which ("Changed an assistance item" alone did not).
    assert sorted("Business set-up" in row for row in changed) == [False, True]
    assert sorted("Psychosocial counselling" in row for row in changed) == [False, True]
    changed = _history_rows(_history(client, reader, case), "Changed an assistance item")
    assert len(changed) == 2 and any("Business set-up" in row for row in changed)
    assert not any("Psychosocial counselling" in row for row in changed)
