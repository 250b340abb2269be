"""Referring a plan item: only with consent to share with providers, to an active provider
of a matching sector, from the plan in force; the provider gets the configured minimal
dataset, never a field of a sensitive group the consent does not cover."""

from __future__ import annotations

import pytest
from django.utils import translation

from remis.audit.models import AuditEntry
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.tests.factories import consent, provider_organisation, refer, setting
from remis.services import actions as services
from remis.services.tests.factories import make_provider


def test_a_referral_without_consent_is_refused_naming_consent(world):
    s = setting(world)
    with pytest.raises(ValidationFailed) as refused:
        refer(s)
    assert refused.value.errors[0][0] == "consent"
    assert "consent" in refused.value.message


def test_the_refusal_is_translated(world):
    s = setting(world)
    with translation.override("fr"), pytest.raises(ValidationFailed) as refused:
        refer(s)
    assert "consentement" in refused.value.message


def test_a_referral_after_consent_was_withdrawn_is_refused(world):
    s = setting(world)
    consent(world, s.case)
    consent(world, s.case, given=False)
    with pytest.raises(ValidationFailed) as refused:
        refer(s)
    assert refused.value.errors[0][0] == "consent"


def test_an_inactive_provider_is_refused(s):
    services.update_provider(
        s.world.bob, s.offline, {"active": False}, expected_version=None
    ) if False else None
    s.offline.active = False
    s.offline.save(update_fields=["active"])
    with pytest.raises(ValidationFailed) as refused:
        refer(s, s.offline)
    assert refused.value.errors[0][0] == "provider"


def test_a_provider_of_another_sector_is_refused(s):
    clinic = make_provider(name="Clinic (synthetic)", sectors=["health"])
    with pytest.raises(ValidationFailed) as refused:
        refer(s, clinic)
    assert refused.value.errors[0][0] == "provider"


def test_a_provider_in_another_country_than_the_returnees_is_refused(s):
    from remis.referrals.models import Referral

    elsewhere = make_provider(name="Mosul Skills (synthetic)", country="IQ", sectors=["vocational_training"])
    with pytest.raises(ValidationFailed) as refused:
        refer(s, elsewhere)
    assert refused.value.errors[0][0] == "provider" and "Iraq" in refused.value.message
    assert not Referral.objects.exists()


def test_an_item_delivered_directly_is_not_referred(world):
    s = setting(world)
    consent(world, s.case)
    s.item.route = "direct"
    s.item.save(update_fields=["route"])
    with pytest.raises(ValidationFailed) as refused:
        refer(s)
    assert refused.value.errors[0][0] == "item"


def test_an_item_of_a_version_not_in_force_is_not_referred(s):
    from remis.assistance import actions as plans

    draft = plans.open_new_version(s.world.bob, s.item.version.plan, reason="Change the course")
    draft_item = draft.items.get()
    with pytest.raises(ValidationFailed) as refused:
        actions.refer_item(s.world.bob, draft_item, s.provider)
    assert refused.value.errors[0][0] == "item"


def test_one_item_has_one_open_referral(s):
    refer(s)
    with pytest.raises(ValidationFailed):
        refer(s, s.offline)


def test_a_counsellor_without_referral_permission_is_refused(s):
    with pytest.raises(PermissionDenied):
        actions.refer_item(s.world.alice, s.item, s.provider)


def test_the_snapshot_holds_the_configured_dataset_and_is_audited(s):
    referral = refer(s)
    fields = [row["field"] for row in referral.shared]
    assert fields[:2] == ["reference", "given_name"]
    assert {"item_type", "item_description", "item_amount", "message"} <= set(fields)
    assert "family_name" not in fields and "date_of_birth" not in fields
    assert referral.status == Status.SENT
    entry = AuditEntry.objects.get(action="referral.send")
    assert entry.case_uuid == s.case.uuid


def test_a_health_item_shares_its_type_only_when_consent_covers_health(world):
    s = setting(world, kind="medical_care", sector="health")
    consent(world, s.case, groups=("psychosocial",))
    referral = refer(s)
    fields = {row["field"] for row in referral.shared}
    assert "item_type" not in fields and "item_description" not in fields
    assert set(referral.withheld) == {"item_type", "item_description"}
    assert all(row["group"] in ("", "psychosocial") for row in referral.shared)


def test_a_health_item_is_shared_when_consent_covers_health(world):
    s = setting(world, kind="medical_care", sector="health")
    consent(world, s.case, groups=("health",))
    referral = refer(s)
    fields = {row["field"] for row in referral.shared}
    assert {"item_type", "item_description"} <= fields
    assert referral.withheld == []


def test_a_case_reader_without_the_health_group_reads_the_item_as_restricted(world, signed_in):
    from remis.accounts.models import Role
    from remis.cases.tests.factories import make_user

    s = setting(world, kind="medical_care", sector="health")
    consent(world, s.case, groups=("health",))
    referral = refer(s)
    Role.objects.create(code="referrer", name="Referrer", permissions=["case.view", "referral.send"])
    rita = make_user("rita", world.gn_partner, "referrer", ["GN"])
    client = signed_in(rita)
    page = client.get(f"/referrals/{referral.uuid}/").content.decode()
    assert "Welding course, six months" not in page and "Restricted" in page
    panel = client.get(f"/cases/{s.case.uuid}/").content.decode()
    assert "Medical care" not in panel
    bob_page = signed_in(world.bob).get(f"/referrals/{referral.uuid}/").content.decode()
    assert "Welding course, six months" in bob_page


def test_an_item_delivered_successfully_is_not_referred_again(s):
    """A completed, successful referral's item was still offered, referred and completed
    again."""
    import datetime as dt

    from remis.referrals.queries import referable_items

    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    actions.answer_referral(
        s.pia, referral, Status.COMPLETED, outcome="successful", outcome_on=dt.date.today()
    )
    assert referral.item not in referable_items(s.case)
    with pytest.raises(ValidationFailed, match="completed successfully"):
        actions.refer_item(s.world.bob, referral.item, s.provider)


def test_a_closed_case_refers_nothing_more(world):
    """Closing cancelled the open referrals, yet the form stayed and a new referral went out
    with the returnee's details."""
    from remis.cases import actions as cases
    from remis.cases.models import Case
    from remis.lib.errors import TransitionRefused
    from remis.referrals.queries import referable_items

    s = setting(world)
    consent(world, s.case)
    assert referable_items(Case.objects.get(pk=s.case.pk))
    cases.close_case(s.world.bob, Case.objects.get(pk=s.case.pk), "completed")
    assert referable_items(Case.objects.get(pk=s.case.pk)) == []
    with pytest.raises(TransitionRefused):
        refer(s)


def test_the_reason_remis_gives_reads_in_the_readers_language_in_the_history(
    world, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from remis.audit.presentation import describe_entries
    from remis.cases import actions as cases
    from remis.cases.models import Case

    s = setting(world)
    consent(world, s.case)
    referral = refer(s)
    with django_capture_on_commit_callbacks(execute=True):
        cases.close_case(s.world.bob, Case.objects.get(pk=s.case.pk), "completed")
    entries = AuditEntry.objects.filter(action="referral.cancel", object_id=str(referral.pk))
    with translation.override("fr"):
        lines = [(c.label, c.after) for v in describe_entries(entries, groups=frozenset()) for c in v.changes]
    assert any(after == "Le dossier a été clôturé." for _label, after in lines), lines


def test_a_providers_organisation_and_country_stay_once_it_was_sent_a_referral(s):
    """Linked to another organisation, its staff would read every referral it was ever sent
    (the returnees agreed to share with this provider, as it was)."""
    refer(s)
    from remis.accounts.system import system_actor

    stranger = provider_organisation("Erbil Clinic (synthetic)")
    for values, field in (({"organisation": stranger.pk}, "organisation"), ({"country": "IQ"}, "country")):
        with pytest.raises(ValidationFailed) as refused:
            services.update_provider(system_actor(), s.provider, values, expected_version=None)
        assert refused.value.errors[0][0] == field and "1 referral was sent" in refused.value.message
        s.provider.refresh_from_db()
        assert s.provider.organisation_id != stranger.pk and s.provider.country == "GN"
    # A provider never referred to moves freely; other fields of a referred one change.
    services.update_provider(s.world.bob, s.offline, {"organisation": stranger.pk}, expected_version=None)
    services.update_provider(s.world.bob, s.provider, {"phone": "+000 111 222"}, expected_version=None)


def test_the_case_sides_reads_of_a_referral_are_logged_and_the_providers_are_not(s, client, api_client):
    """The case worker opens the case's data through the referral; the provider reads only
    what was sent to it (its own organisation has no access to the case)."""
    from django.urls import reverse

    from remis.audit.models import CaseRead

    referral = refer(s)
    client.force_login(s.world.bob)
    assert client.get(reverse("referral_detail", args=[referral.uuid])).status_code == 200
    assert api_client.as_(s.world.bob).get(f"/referrals/{referral.uuid}").status_code == 200
    assert sorted(CaseRead.objects.filter(actor=s.world.bob).values_list("channel", flat=True)) == [
        "api",
        "record",
    ]
    client.force_login(s.pia)
    assert client.get(reverse("referral_detail", args=[referral.uuid])).status_code == 200
    assert not CaseRead.objects.filter(actor=s.pia).exists()


def test_deactivating_a_provider_with_open_referrals_says_so_and_the_case_shows_it(s, client):
    """Saved with nothing said: the provider's 14 open referrals stayed, and the case read
    "In progress" with no hint the provider was inactive."""
    from django.urls import reverse

    from remis.accounts.system import system_actor

    refer(s)
    changes = services.update_provider(system_actor(), s.provider, {"active": False}, expected_version=None)
    said = services.provider_notices(s.provider, changes)
    assert said == [
        "1 open referral stays with this provider: its case worker sees the provider is inactive "
        "on the case, and may cancel it and refer again."
    ]
    client.force_login(s.world.bob)
    page = client.get(reverse("case_detail", args=[s.case.uuid])).content.decode()
    assert "Provider inactive" in page
    # The referral's own page, where it is cancelled, says so too (only the case's did).
    referral = s.case.referrals.get()
    assert "Provider inactive" in client.get(reverse("referral_detail", args=[referral.uuid])).text
    # Another change of an inactive provider says nothing more.
    changes = services.update_provider(
        system_actor(), s.provider, {"phone": "+000 100 100"}, expected_version=None
    )
    assert services.provider_notices(s.provider, changes) == []


def test_taking_a_sector_off_a_provider_with_open_referrals_in_it_says_so(s):
    """Vocational training untaken from a provider holding an accepted training referral:
    "saved", nothing more, and the referral stayed with a provider the map no longer shows
    for it."""
    from remis.accounts.system import system_actor

    refer(s)
    codes = list(s.provider.sectors.values_list("code", flat=True))
    changes = services.update_provider(
        system_actor(), s.provider, {"sectors": ["health"]}, expected_version=None
    )
    said = services.provider_notices(s.provider, changes)
    assert said == [
        "1 open referral stays with this provider for a service of a sector it no longer offers "
        "on the map: its case worker may cancel it and refer again."
    ], codes
    # Adding a sector, or taking off one no open referral needs, says nothing.
    changes = services.update_provider(
        system_actor(), s.provider, {"sectors": ["health", "legal"]}, expected_version=None
    )
    assert services.provider_notices(s.provider, changes) == []
