"""The refer form offers, for the item chosen, only the providers a referral of it would be
accepted by (an active provider of the case's country working in a sector its type
matches); choosing another item draws the list again for that item."""

from __future__ import annotations

from django.urls import reverse

from remis.assistance.models import AssistanceItem, AssistanceType
from remis.services.tests.factories import make_provider


def _names(html: str) -> set[str]:
    return {name for name in ("Centre Kaloum", "Atelier Matam", "Clinique Ratoma") if name in html}


def test_the_case_page_offers_the_providers_of_the_first_items_sector(client, s):
    make_provider(name="Clinique Ratoma (synthetic)", sectors=["health"])
    client.force_login(s.world.bob)
    page = client.get(reverse("case_detail", args=[s.case.uuid])).text
    form = page[page.index('id="refer-form"') :]
    assert _names(form[: form.index("</form>")]) == {"Centre Kaloum", "Atelier Matam"}


def test_choosing_another_item_draws_its_providers(client, s):
    make_provider(name="Clinique Ratoma (synthetic)", sectors=["health"])
    url = reverse("referral_providers", args=[s.case.uuid])
    client.force_login(s.world.bob)
    assert _names(client.get(url, {"item": s.item.pk}).text) == {"Centre Kaloum", "Atelier Matam"}
    AssistanceItem.objects.filter(pk=s.item.pk).update(kind=AssistanceType.objects.get(code="medical_care"))
    assert _names(client.get(url, {"item": s.item.pk}).text) == {"Clinique Ratoma"}
    AssistanceItem.objects.filter(pk=s.item.pk).update(
        kind=AssistanceType.objects.get(code="legal_documentation")
    )
    empty = client.get(url, {"item": s.item.pk}).text
    assert _names(empty) == set() and '<option value="">' in empty  # says why, cannot be sent


def test_only_those_who_may_refer_the_case_read_its_providers(client, s):
    url = reverse("referral_providers", args=[s.case.uuid])
    client.force_login(s.pia)  # at the provider: the case is not theirs to see
    assert client.get(url, {"item": s.item.pk}).status_code == 404
    client.force_login(s.world.alice)  # a counsellor in Belgium: the case, not its referrals
    assert client.get(url, {"item": s.item.pk}).status_code == 403


def test_a_refused_referral_names_its_field_as_each_language_writes_it(client, s):
    """French writes a space before the colon ("Prestataire : …"); it read "Prestataire: …"."""
    client.force_login(s.world.bob)
    url = reverse("referral_create", args=[s.case.uuid])
    english = client.post(url, {"item": s.item.pk, "provider": ""}, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Provider: This field is required." in english
    french = client.post(url, {"item": s.item.pk, "provider": ""}, HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Prestataire\u00a0: Ce champ est obligatoire." in french


def test_a_first_item_no_provider_offers_leaves_the_others_referable(client, s):
    """The panel drew providers for the first item alone: none offered it, the form was
    hidden, and the case's other items could not be referred."""
    import uuid

    make_provider(name="Clinique Ratoma (synthetic)", sectors=["health"])
    second = AssistanceItem.objects.get(pk=s.item.pk)
    second.pk, second.key = None, uuid.uuid4()
    second.kind = AssistanceType.objects.get(code="medical_care")
    second.save()
    AssistanceItem.objects.filter(pk=s.item.pk).update(
        kind=AssistanceType.objects.get(code="legal_documentation")
    )
    client.force_login(s.world.bob)
    page = client.get(reverse("case_detail", args=[s.case.uuid])).text
    form = page[page.index('id="refer-form"') :]
    form = form[: form.index("</form>")]
    assert f'<option value="{second.pk}" selected>' in form
    assert _names(form) == {"Clinique Ratoma"}


def test_a_second_tab_refused_because_the_item_was_referred_offers_no_empty_form(client, s):
    """The second tab's refusal page had an empty Item list, every active provider (of any
    sector) and a Refer button: nothing could be sent from it."""
    from remis.referrals.tests.factories import refer

    make_provider(name="Clinique Ratoma (synthetic)", sectors=["health"])
    client.force_login(s.world.bob)
    url = reverse("referral_create", args=[s.case.uuid])
    provider = s.provider
    refer(s)  # the first tab
    page = client.post(url, {"item": s.item.pk, "provider": str(provider.uuid)})
    assert page.status_code == 400
    assert "already has an open referral" in page.text or "open referral" in page.text
    assert "No item of the plan waits for a referral now" in page.text
    assert 'id="refer-form"' not in page.text and _names(page.text) == set()


def test_a_tab_refused_because_consent_was_withdrawn_meanwhile_offers_no_form(client, s):
    """Consent to share with providers withdrawn in another tab: the refusal said to record
    consent, and under it the whole Refer form, which could only be refused again."""
    import datetime as dt

    from remis.cases import actions as cases

    client.force_login(s.world.bob)
    cases.record_consent(
        s.world.bob, s.case, purpose="sharing_with_providers", given=False, given_on=dt.date.today()
    )
    page = client.post(
        reverse("referral_create", args=[s.case.uuid]), {"item": s.item.pk, "provider": str(s.provider.uuid)}
    )
    assert page.status_code == 400 and "consent" in page.text
    assert 'id="refer-form"' not in page.text and _names(page.text) == set()
    assert "No item of the plan waits for a referral now" not in page.text  # not what happened
