"""The service map's forms sent back untouched: an edit says nothing was changed (and writes
nothing); a quality assessment is not recorded, where the score's first choice, "excellent",
used to be taken as the answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD
from remis.services.forms import ProviderForm, StakeholderForm
from remis.services.models import Provider, QualityAssessment, Stakeholder
from remis.services.tests.factories import make_provider, make_stakeholder

pytestmark = pytest.mark.django_db


def _as_posted(form) -> dict[str, object]:
    """What a browser sends for the form as it opens."""
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def test_a_provider_saved_untouched_is_said_unchanged(client, bob):
    provider = make_provider(bob)
    assert client.login(username=bob.username, password=PASSWORD)
    audited = AuditEntry.objects.count()
    url = reverse("provider_edit", args=[provider.uuid])
    page = client.post(url, _as_posted(ProviderForm.editing(provider)), follow=True).content.decode()
    assert "Nothing was changed." in page
    assert Provider.objects.get(pk=provider.pk).version == provider.version
    assert AuditEntry.objects.count() == audited


def test_a_stakeholder_saved_untouched_is_said_unchanged_not_saved(client, bob):
    stakeholder = make_stakeholder(bob)
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("stakeholder_edit", args=[stakeholder.pk])
    data = _as_posted(StakeholderForm.editing(stakeholder))
    page = client.post(url, data, follow=True).content.decode()
    assert "Nothing was changed." in page and "The stakeholder is saved." not in page
    assert Stakeholder.objects.get(pk=stakeholder.pk).version == stakeholder.version
    page = client.post(url, {**data, "interest": "Welders"}, follow=True).content.decode()
    assert "The stakeholder is saved." in page


def test_a_quality_assessment_form_opens_with_no_score_chosen(client, bob):
    provider = make_provider(bob)
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("provider_detail", args=[provider.uuid])
    page = client.get(url).content.decode()
    select = page[page.index('id="quality-score"') :]
    assert select[select.index("<option") :].startswith('<option value="" selected>')
    response = client.post(url, {"assessed_on": dt.date.today().isoformat(), "score": ""})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not QualityAssessment.objects.exists()


def test_an_edit_from_an_outdated_page_is_refused_as_a_conflict_on_the_form(client, bob):
    provider = make_provider(bob)
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("provider_edit", args=[provider.uuid])
    opened = _as_posted(ProviderForm.editing(provider))
    client.post(url, {**opened, "phone": "+224 611 11 11 11"})
    page = client.post(url, {**opened, "languages": "Pular"}).content.decode()
    assert "Someone else saved this record after you opened it." in page
    assert "version:" not in page  # the hidden field's name is no explanation
    assert Provider.objects.get(pk=provider.pk).languages == provider.languages


def test_a_quality_assessment_sent_twice_is_recorded_once(client, bob):
    """Back after recording an assessment, then the button again, kept two identical rows
    that nothing can remove."""
    import re

    provider = make_provider(bob)
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("provider_detail", args=[provider.uuid])
    key = re.search(r'name="form_key" value="([0-9a-f-]+)"', client.get(url).content.decode())
    assert key is not None
    sent = {
        "form_key": key.group(1),
        "assessed_on": dt.date.today().isoformat(),
        "score": "4",
        "notes": "visit",
    }
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent, follow=True).content.decode()
    assert "This form was already sent" in again
    assert QualityAssessment.objects.filter(provider=provider).count() == 1
