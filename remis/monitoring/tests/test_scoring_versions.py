"""A new version of an instrument's scoring (weights and score bands), recorded by the platform
operator on a page: new responses use it, stored responses keep their version and scores, bad
numbers are refused naming their field, and two people recording from one version make one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import make_user, returned_case
from remis.lib.errors import Conflict, Duplicate, PermissionDenied, ValidationFailed
from remis.monitoring import actions
from remis.monitoring.models import Instrument
from remis.monitoring.responses import current_instrument, record_response, rescore
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db
RSS = "reintegration-sustainability"


@pytest.fixture
def operator(world):
    return make_user("paul", world.be_office, "platform_operator", ["BE"])


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def _latest() -> Instrument:
    instrument = current_instrument(RSS)
    assert instrument is not None
    return instrument


def _poor_economy():
    return answers(income_covers_needs="never", main_activity="none")


def test_a_new_version_scores_new_responses_and_stored_ones_keep_theirs(world, case, operator):
    first = _latest()
    before = record_response(
        world.bob, first, answers=_poor_economy(), collected_on=timezone.localdate(), case=case
    )
    created = actions.new_scoring_version(
        operator,
        first,
        dimension_weights={"economic": "3"},
        indicator_weights={},
        band_lowers={"sustainable": "80"},
    )
    assert created.version == first.version + 1 and created.active
    assert _latest() == created
    first.refresh_from_db()
    assert not first.active  # kept, with its responses
    after = record_response(
        world.bob, created, answers=_poor_economy(), collected_on=timezone.localdate(), case=case
    )
    assert before.composite is not None and after.composite is not None
    assert after.instrument == created and after.composite < before.composite  # economy weighs more
    # Rescoring recomputes each response with its own version: the earlier one is unchanged.
    kept = before.composite
    rescore(first)
    before.refresh_from_db()
    assert before.composite == kept and before.instrument == first
    entry = AuditEntry.objects.get(action="monitoring.instrument_version")
    assert entry.actor == operator
    assert entry.changes["scoring"][1] == [
        "weight of economic: 1 → 3",
        "lower bound of sustainable: 0.7 → 0.8",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dimension_weights": {"social": "0"}}, "dimension_social"),
        ({"dimension_weights": {"social": "-1"}}, "dimension_social"),
        ({"indicator_weights": {"income_sufficiency": "heavy"}}, "indicator_income_sufficiency"),
        ({"indicator_weights": {"income_sufficiency": "101"}}, "indicator_income_sufficiency"),
        ({"band_lowers": {"sustainable": "40"}}, "band_sustainable"),  # below "progressing" (50)
        ({"band_lowers": {"progressing": "100"}}, "band_progressing"),
        ({"band_lowers": {"progressing": "NaN"}}, "band_progressing"),
    ],
)
def test_bad_numbers_are_refused_naming_their_field_and_nothing_is_recorded(operator, change, field):
    first = _latest()
    values = {"dimension_weights": {}, "indicator_weights": {}, "band_lowers": {}, **change}
    with pytest.raises(ValidationFailed) as refused:
        actions.new_scoring_version(operator, first, **values)
    assert field in [f for f, _m in refused.value.errors]
    assert Instrument.objects.filter(code=RSS).count() == 1


def test_only_the_platform_operator_records_a_version_and_an_untouched_one_is_not_recorded(world, operator):
    first = _latest()
    manager = make_user("mona", world.be_office, "programme_manager", ["BE"])
    for refused in (manager, world.carol):
        with pytest.raises(PermissionDenied):
            actions.new_scoring_version(
                refused, first, dimension_weights={"economic": "2"}, indicator_weights={}, band_lowers={}
            )
    with pytest.raises(Duplicate):
        actions.new_scoring_version(
            operator,
            first,
            dimension_weights={"economic": "1"},
            indicator_weights={},
            band_lowers={"progressing": "50"},
        )
    assert Instrument.objects.filter(code=RSS).count() == 1


def test_a_version_made_from_an_outdated_one_is_a_conflict(operator):
    first = _latest()
    actions.new_scoring_version(
        operator, first, dimension_weights={"economic": "2"}, indicator_weights={}, band_lowers={}
    )
    with pytest.raises(Conflict):
        actions.new_scoring_version(
            operator, first, dimension_weights={"social": "2"}, indicator_weights={}, band_lowers={}
        )
    assert Instrument.objects.filter(code=RSS).count() == 2


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_page_shows_the_versions_numbers_and_records_a_new_one(client, world, operator, language):
    first = _latest()
    client.force_login(operator)
    client.cookies["django_language"] = language
    home = client.get(reverse("dashboard")).text
    assert f'href="{reverse("instrument_list")}"' in home  # in the operator's menu
    listed = client.get(reverse("instrument_list")).text
    page = reverse("instrument_scoring", args=[RSS, first.version])
    assert f'href="{page}"' in listed
    assert f'href="{reverse("follow_up_list")}"' not in listed  # a 403 for them
    shown = client.get(page)
    assert shown.status_code == 200
    form = shown.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    assert data["dimension_economic"] == "1" and data["band_sustainable"] == "70"
    untouched = client.post(page, data)
    assert untouched.status_code == 400 and Instrument.objects.filter(code=RSS).count() == 1
    refused = client.post(page, {**data, "band_sustainable": "30"})
    assert refused.status_code == 400 and 'id="id_band_sustainable_error"' in refused.text
    assert 'value="30"' in refused.text  # what was typed stays
    done = client.post(
        page, {**data, "indicator_income_sufficiency": "3" if language == "en" else "2,5"}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("instrument_list")
    created = _latest()
    assert created.version == 2
    weights = {i["code"]: i["weight"] for i in created.definition["indicators"]}
    assert weights["income_sufficiency"] == (3 if language == "en" else 2.5)
    # Others read the instruments but are not offered the change.
    client.force_login(world.bob)
    assert 'scoring/"' not in client.get(reverse("instrument_list")).text
    assert client.get(page).status_code == 403


def test_the_api_records_a_version_naming_bad_fields_by_their_path(api_client, world, operator):
    url = f"/monitoring/instruments/{RSS}/versions"
    api = api_client.as_(operator)
    bad = api.post(
        url,
        {
            "version": 1,
            "dimension_weights": {"economic": 0, "spiritual": 2},
            "band_lowers": {"progressing": 120},
        },
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == [
        "band_lowers.progressing",
        "dimension_weights.economic",
        "dimension_weights.spiritual",
    ]
    done = api.post(url, {"version": 1, "indicator_weights": {"income_sufficiency": 3}})
    assert done.status_code == 201 and done.json()["version"] == 2 and done.json()["active"]
    stale = api.post(url, {"version": 1, "indicator_weights": {"income_sufficiency": 4}})
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert api.post("/monitoring/instruments/nope/versions", {"version": 1}).status_code == 404
    refused = api_client.as_(world.bob).post(url, {"version": 2, "dimension_weights": {"economic": 2}})
    assert refused.status_code == 403
    assert Instrument.objects.filter(code=RSS).count() == 2


def test_two_operators_recording_from_one_version_at_once_make_one(parallel_db, shipped_monitoring, world):
    """Both read version 1; run together, one makes version 2, the other is told of it."""
    from remis.lib.tests.races import one_won

    operators = [make_user(name, world.be_office, "platform_operator", ["BE"]) for name in ("paul", "pia")]
    first = _latest()
    results = parallel_db(
        *(
            lambda who=who, weight=weight: actions.new_scoring_version(
                who, first, dimension_weights={"economic": weight}, indicator_weights={}, band_lowers={}
            )
            for who, weight in zip(operators, ("2", "3"), strict=True)
        )
    )
    winner = one_won(results)
    versions = Instrument.objects.filter(code=RSS)
    assert versions.count() == 2 and versions.filter(active=True).get() == results[winner]
    assert AuditEntry.objects.filter(action="monitoring.instrument_version").count() == 1


def test_a_bound_above_the_next_kept_one_is_refused_on_its_field_and_every_bad_number_at_once(
    client, api_client, operator
):
    """A band sent above the next (kept) band's bound was refused in the definition's own
    English words, on the 0–1 scale, naming no field; the page named a blank first, then
    the bad numbers on the next send."""
    api = api_client.as_(operator)
    refused = api.post(
        f"/monitoring/instruments/{RSS}/versions", {"version": 1, "band_lowers": {"progressing": 75}}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "band_lowers.sustainable", "message": "Each band starts above the band before it."}
    ]
    client.force_login(operator)
    page = reverse("instrument_scoring", args=[RSS, 1])
    data = {name: field.initial for name, field in client.get(page).context["form"].fields.items()}
    answer = client.post(page, {**data, "dimension_social": "", "dimension_economic": "abc"})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"dimension_social", "dimension_economic"}


def test_the_form_writes_and_reads_decimals_as_the_readers_language_does(client, operator):
    first = _latest()
    actions.new_scoring_version(
        operator, first, dimension_weights={"economic": "1,5"}, indicator_weights={}, band_lowers={}
    )
    client.force_login(operator)
    client.cookies["django_language"] = "fr"
    page = reverse("instrument_scoring", args=[RSS, 2])
    data = {name: field.initial for name, field in client.get(page).context["form"].fields.items()}
    assert data["dimension_economic"] == "1,5"
    done = client.post(page, {**data, "dimension_social": "٢٫٥"})  # Arabic digits and separator
    assert done.status_code == 302
    assert {d["code"]: d["weight"] for d in _latest().definition["dimensions"]}["social"] == 2.5


def test_the_import_page_marks_an_earlier_version(client, world, operator):
    """Versions 5, 4, 3… were offered alike: an old one scored new data with old weights."""
    actions.new_scoring_version(
        operator, _latest(), dimension_weights={"economic": "2"}, indicator_weights={}, band_lowers={}
    )
    client.force_login(world.bob)
    page = client.get(reverse("import_list")).text
    assert "v1 (Earlier version)" in page and "v2 (Earlier version)" not in page
