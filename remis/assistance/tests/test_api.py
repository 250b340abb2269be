from __future__ import annotations

import pytest

from remis.accounts.tests.tokens import bearer_key
from remis.assistance.models import AssistanceItem, Instalment, PlanStatus
from remis.assistance.tests.factories import approved_plan, first_item, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    class Api:
        def as_(self, user):
            raw = bearer_key(user, "test")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            return self

        def get(self, path, **params):
            return client.get(f"/api/v1/plans{path}", params, **self.auth)

        def post(self, path, body=None):
            return client.post(
                f"/api/v1/plans{path}", body or {}, content_type="application/json", **self.auth
            )

        def put(self, path, body):
            return client.put(f"/api/v1/plans{path}", body, content_type="application/json", **self.auth)

        def upload(self, path, data):
            return client.post(f"/api/v1/plans{path}", data, **self.auth)

    return Api()


def test_a_plan_is_built_submitted_and_approved_through_the_api(api, world, case, manon, today):
    bob = api.as_(world.bob)
    base = f"/cases/{case.uuid}"
    assert bob.post(base).status_code == 201
    version = bob.get(f"{base}/versions/1").json()
    answer = bob.post(
        f"{base}/versions/1/needs",
        {"version": version["version"], "dimension": "economic", "description": "No income"},
    )
    assert answer.status_code == 201
    version = answer.json()
    need_id = version["needs"][0]["id"]
    version = bob.post(
        f"{base}/versions/1/needs/{need_id}/goals", {"version": version["version"], "description": "A shop"}
    ).json()
    goal_id = version["needs"][0]["goals"][0]["id"]
    item = {
        "version": version["version"],
        "goal_id": goal_id,
        "kind": "business_setup",
        "modality": "cash",
        "amount": "650",
        "currency": "EUR",
    }
    # Bad input: each field named, nothing written.
    bad = bob.post(f"{base}/versions/1/items", {**item, "amount": "-3", "currency": "EUX"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"amount", "currency"}
    assert bob.post(f"{base}/versions/1/items", {**item, "amount": "lots"}).status_code == 422
    no_goal = bob.post(f"{base}/versions/1/items", {**item, "goal_id": goal_id + 1000})
    assert no_goal.status_code == 422 and no_goal.json()["errors"][0]["field"] == "goal_id"
    assert not AssistanceItem.objects.exists()
    # An edit from an outdated read: 409.
    assert (
        bob.post(f"{base}/versions/1/items", {**item, "version": version["version"] - 1}).status_code == 409
    )
    version = bob.post(f"{base}/versions/1/items", item).json()
    assert version["items"][0]["amount"] == "650.00"
    version = bob.upload(
        f"{base}/versions/1/agreement",
        {"agreed_on": today.isoformat(), "version": version["version"], "agreement_file": pdf()},
    ).json()
    assert version["agreed_on"] == today.isoformat()
    version = bob.post(f"{base}/versions/1/submit", {"version": version["version"]}).json()
    assert version["status"] == PlanStatus.SUBMITTED
    # The drafter cannot approve: 403 naming the approver.
    mine = bob.post(f"{base}/versions/1/approve", {"version": version["version"]})
    assert mine.status_code == 403
    boss = api.as_(manon)
    version = boss.post(f"{base}/versions/1/approve", {"version": version["version"], "comment": "ok"}).json()
    assert (
        version["status"] == "approved" and version["decisions"][0]["level"] == 1
    )  # within 1,500 and the 700 package
    plan = boss.get(base).json()
    assert plan["in_force"] == 1 and plan["budget"]["approved"]["reporting"] == "650.00"


def test_payments_through_the_api_refuse_too_much_and_outsiders_get_404(api, world, case, ines, dave, today):
    item = first_item(approved_plan(world, case, ines))
    bob = api.as_(world.bob)
    too_much = bob.post(
        f"/items/{item.pk}/instalments", {"paid_on": today.isoformat(), "amount": "601", "currency": "EUR"}
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    ok = bob.post(
        f"/items/{item.pk}/instalments", {"paid_on": today.isoformat(), "amount": "100", "currency": "EUR"}
    )
    assert ok.status_code == 201
    assert len(bob.get(f"/items/{item.pk}/instalments").json()) == 1
    # Paid written as every amount is, with its two decimals ("100" beside "600.00").
    version = bob.get(f"/cases/{case.uuid}/versions/{item.version.number}").json()
    paid = {row["id"]: row["paid"] for row in version["items"]}
    assert paid[item.pk] == "100.00"
    outsider = api.as_(dave)
    assert outsider.get(f"/cases/{case.uuid}").status_code == 404
    assert outsider.get(f"/items/{item.pk}/instalments").status_code == 404
    assert (
        outsider.post(
            f"/items/{item.pk}/instalments", {"paid_on": today.isoformat(), "amount": "1", "currency": "EUR"}
        ).status_code
        == 404
    )
    assert Instalment.objects.count() == 1


def test_exchange_rates_and_budget_through_the_api(api, world, case, ines, manon, today):
    approved_plan(world, case, ines)
    boss = api.as_(manon)
    assert (
        boss.post(
            "/exchange-rates",
            {"month": today.isoformat(), "currency": "GNF", "to_currency": "EUR", "rate": "0.000105"},
        ).status_code
        == 201
    )
    assert (
        boss.post(
            "/exchange-rates",
            {"month": today.isoformat(), "currency": "GNF", "to_currency": "EUR", "rate": "-2"},
        ).status_code
        == 422
    )
    # Written in exponent form, read back as digits ("1E+3" was echoed).
    body = {"month": today.isoformat(), "currency": "SLE", "to_currency": "EUR", "rate": "1e3"}
    assert boss.post("/exchange-rates", body).json()["rate"] == "1000"
    again = boss.post("/exchange-rates", body | {"rate": "1100"})  # the month has one: said, kept
    assert again.status_code == 409 and "A rate of 1" in again.json()["detail"]
    assert boss.post("/exchange-rates", body | {"rate": "1100", "replaces": "1000"}).json()["rate"] == "1100"
    too_big = boss.post("/exchange-rates", body | {"currency": "USD", "rate": "1e40"})
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "rate"
    for currency in ("XOF", "USD"):
        body = {"month": today.isoformat(), "currency": currency, "to_currency": "EUR", "rate": "0.5"}
        assert boss.post("/exchange-rates", body).status_code == 201
    listed = boss.get("/exchange-rates", limit=2).json()
    assert listed["count"] == 4 and len(listed["items"]) == 2
    assert [r["rate"] for r in boss.get("/exchange-rates", currency="gnf").json()["items"]] == ["0.000105"]
    assert boss.get("/exchange-rates", limit=500).status_code == 422
    for name, code in (("currency", "zzz"), ("to_currency", "NaN"), ("currency", "XAU")):
        unknown = boss.get("/exchange-rates", **{name: code})  # listed nothing, as if none were recorded
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == name
    rows = boss.get("/budget").json()
    assert rows[0]["country"] == "GN" and rows[0]["approved"]["reporting"] == "600.00"


def test_thresholds_through_the_api(api, world, manon, ines, today):
    world.programme.partners.create(organisation=world.gn_partner, role="implementing", countries=["GN"])
    body = {"effective_from": today.isoformat(), "manager_above": "300", "two_above": "3000", "country": "GN"}
    assert api.as_(ines).post(f"/thresholds/{world.programme.code}", body).status_code == 403
    assert api.as_(world.victor).post(f"/thresholds/{world.programme.code}", body).status_code == 404
    answer = api.as_(manon).post(f"/thresholds/{world.programme.code}", body)
    assert answer.status_code == 201 and answer.json()["manager_above"] == "300.00"


def test_a_sensitive_item_type_is_null_for_readers_without_its_group(api, world, case):
    from remis.accounts.models import Role
    from remis.assistance import actions
    from remis.assistance.tests.factories import draft_plan
    from remis.cases.tests.factories import make_user

    version = draft_plan(world.bob, case, amounts=())
    goal = version.needs.get().goals.get()
    actions.add_item(
        world.bob,
        goal,
        actions.ItemData(kind="psychosocial_counselling", modality="service", amount="90", currency="EUR"),
    )
    Role.objects.create(code="plain_reader", name="Reader", permissions=["case.view"])
    reader = make_user("rita", world.gn_partner, "plain_reader", ["GN"])
    item = api.as_(reader).get(f"/cases/{case.uuid}/versions/1").json()["items"][0]
    assert item["kind"] is None and item["amount"] == "90.00"
    assert (
        api.as_(world.bob).get(f"/cases/{case.uuid}/versions/1").json()["items"][0]["kind"]
        == "psychosocial_counselling"
    )


def test_needs_and_goals_are_reworded_and_removed_through_the_api(api, world, case, client):
    from remis.assistance.models import Goal, Need
    from remis.assistance.tests.factories import draft_plan

    version = draft_plan(world.bob, case)
    bob = api.as_(world.bob)
    need = Need.objects.get(version=version)
    base = f"/cases/{case.uuid}/versions/{version.number}"
    changed = bob.put(
        f"{base}/needs/{need.pk}",
        {"version": version.version, "dimension": "social", "description": "No housing"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["needs"][0]["dimension"] == "social"
    stale = bob.put(
        f"{base}/needs/{need.pk}", {"version": version.version, "dimension": "economic", "description": "x"}
    )
    assert stale.status_code == 409
    current = changed.json()["version"]
    goal = Goal.objects.get(need=need)
    refused = client.delete(f"/api/v1/plans{base}/goals/{goal.pk}?version={current}", **bob.auth)
    assert refused.status_code == 422 and "remove them first" in refused.json()["detail"]
    missing = client.delete(f"/api/v1/plans{base}/needs/999999?version={current}", **bob.auth)
    assert missing.status_code == 404


def test_the_budget_is_read_for_a_programme_and_payment_days(api, world, case, ines, manon, today):
    """The page's filters: the API refused them as unknown parameters."""
    import datetime as dt

    from remis.assistance import actions

    item = first_item(approved_plan(world, case, ines))
    actions.record_instalment(world.bob, item, paid_on=today, amount="150", currency="EUR")
    boss = api.as_(manon)
    code = world.programme.code
    (row,) = boss.get("/budget", programme=code, paid_from=today.isoformat()).json()
    assert row["disbursed"]["reporting"] == "150.00"
    (row,) = boss.get("/budget", programme=code, paid_to=(today - dt.timedelta(days=1)).isoformat()).json()
    assert row["disbursed"]["reporting"] in ("0", "0.00")
    unknown = boss.get("/budget", programme="NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "programme"
    backwards = boss.get(
        "/budget", paid_from=today.isoformat(), paid_to=(today - dt.timedelta(days=1)).isoformat()
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "paid_to"


def test_a_payment_retried_with_its_request_id_is_recorded_once(api, world, case, ines, today):
    """A client retrying after a timeout recorded the payment twice."""
    import uuid

    item, other = approved_plan(world, case, ines, ("300", "300")).items.order_by("id")
    bob = api.as_(world.bob)
    body = {"paid_on": today.isoformat(), "amount": "50", "currency": "EUR", "request_id": str(uuid.uuid4())}
    first = bob.post(f"/items/{item.pk}/instalments", body)
    assert first.status_code == 201
    # Answered as the first time, so the client reconciles it (a 409 spoke of a page).
    again = bob.post(f"/items/{item.pk}/instalments", body)
    assert again.status_code == 200 and again.json() == first.json()
    assert len(bob.get(f"/items/{item.pk}/instalments").json()) == 1
    # The same request_id on another item is refused, naming it.
    refused = bob.post(f"/items/{other.pk}/instalments", body)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "request_id"
    # With another amount, it is no retry: answered 200, the client believed 60 recorded.
    changed = bob.post(f"/items/{item.pk}/instalments", {**body, "amount": "60"})
    assert changed.status_code == 409 and changed.json()["errors"][0]["field"] == "request_id"
    assert len(bob.get(f"/items/{item.pk}/instalments").json()) == 1
    # A currency sent in lower case was stored upper-cased: its retry is the same payment.
    lower = {**body, "currency": "eur", "request_id": str(uuid.uuid4())}
    assert bob.post(f"/items/{item.pk}/instalments", lower).status_code == 201
    retried = bob.post(f"/items/{item.pk}/instalments", lower)
    assert retried.status_code == 200, retried.json()
    assert len(bob.get(f"/items/{item.pk}/instalments").json()) == 2


def test_the_assistance_types_are_listed_for_a_client_writing_items(api, world, client):
    """The code list of an item's `kind`: its codes, labels in the language asked, the
    retired ones only when asked for."""
    from django.core.management import call_command

    from remis.assistance.models import AssistanceType

    call_command("sync_assistance_defaults", verbosity=0)
    retired = AssistanceType.objects.order_by("pk").first()
    assert retired is not None
    AssistanceType.objects.filter(pk=retired.pk).update(active=False, names={"fr": "Ancien type"})
    bob = api.as_(world.bob)
    listed = bob.get("/assistance-types")
    assert listed.status_code == 200
    codes = [t["code"] for t in listed.json()]
    in_order = AssistanceType.objects.filter(active=True).order_by("position", "name", "pk")
    active = list(in_order.values_list("code", flat=True))
    assert codes == active and retired.code not in codes and len(codes) > 5
    every = bob.get("/assistance-types", include_retired="true").json()
    shown = next(t for t in every if t["code"] == retired.code)
    assert shown["active"] is False and shown["names"]["fr"] == "Ancien type"
    french = client.get(
        "/api/v1/plans/assistance-types", {"include_retired": "true"}, HTTP_ACCEPT_LANGUAGE="fr", **bob.auth
    ).json()
    assert next(t for t in french if t["code"] == retired.code)["label"] == "Ancien type"
    assert client.get("/api/v1/plans/assistance-types").status_code == 401  # no token
