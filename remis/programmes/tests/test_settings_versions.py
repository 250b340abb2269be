"""Programme settings are versions with effective dates: which one applies on a day, the
history kept, who may change them, what the audit log keeps, and the submission that keeps
the version it was made under."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.models import Submission
from remis.cases.tests.factories import make_user, register
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes.actions import change_programme_settings
from remis.programmes.models import ProgrammeSettings
from remis.programmes.queries import settings_history, settings_on

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)


@pytest.fixture
def manager(world):
    """Maria: programme manager at the Belgian office, a partner of the programme."""
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


def test_first_version_is_in_force_from_the_programme_start(world):
    first = settings_on(world.programme, world.programme.starts_on)
    assert first.pk is not None
    assert (first.currency, first.grant_per_person, first.grant_per_family) == (
        "EUR",
        Decimal("700.00"),
        Decimal("1500.00"),
    )
    assert (first.submission_response_days, first.small_cell_threshold) == (10, 5)


def test_a_new_version_applies_from_its_effective_day_and_not_the_day_before(world, manager):
    change_programme_settings(manager, world.programme, JUNE, {"grant_per_person": "900"})
    day_before = settings_on(world.programme, JUNE - dt.timedelta(days=1))
    assert day_before.grant_per_person == Decimal("700.00")
    assert settings_on(world.programme, JUNE).grant_per_person == Decimal("900.00")
    assert settings_on(world.programme, dt.date(2030, 1, 1)).grant_per_person == Decimal("900.00")


def test_settings_not_given_carry_over_from_the_version_in_force_that_day(world, manager):
    change_programme_settings(manager, world.programme, JUNE, {"currency": "xof", "grant_per_family": 2500})
    version = settings_on(world.programme, JUNE)
    assert version.currency == "XOF" and version.grant_per_family == Decimal("2500.00")
    assert version.grant_per_person == Decimal("700.00") and version.submission_response_days == 10


def test_a_day_before_the_first_version_is_governed_by_the_first_version(world):
    early = settings_on(world.programme, world.programme.starts_on - dt.timedelta(days=30))
    assert early == settings_on(world.programme, world.programme.starts_on)


def test_a_correction_on_the_same_day_wins_and_the_corrected_version_stays_readable(world, manager):
    wrong = change_programme_settings(manager, world.programme, JUNE, {"grant_per_person": "9000"})
    right = change_programme_settings(
        manager, world.programme, JUNE, {"grant_per_person": "900"}, note="typo in the grant"
    )
    assert settings_on(world.programme, JUNE) == right
    history = settings_history(world.programme)
    assert [v.pk for v in history[:2]] == [right.pk, wrong.pk]
    assert ProgrammeSettings.objects.get(pk=wrong.pk).grant_per_person == Decimal("9000.00")


def test_a_version_between_two_others_rules_only_until_the_next(world, manager):
    change_programme_settings(manager, world.programme, dt.date(2025, 9, 1), {"submission_response_days": 20})
    change_programme_settings(manager, world.programme, JUNE, {"submission_response_days": 15})
    assert settings_on(world.programme, dt.date(2025, 8, 31)).submission_response_days == 15
    assert settings_on(world.programme, dt.date(2025, 9, 1)).submission_response_days == 20


def test_every_version_is_kept_in_the_history(world, manager):
    change_programme_settings(manager, world.programme, JUNE, {"grant_per_person": "800"})
    change_programme_settings(manager, world.programme, dt.date(2026, 1, 1), {"grant_per_person": "900"})
    amounts = [v.grant_per_person for v in settings_history(world.programme)]
    assert amounts == [Decimal("900.00"), Decimal("800.00"), Decimal("700.00")]


def test_change_is_audited_with_what_changed_and_who_changed_it(world, manager):
    version = change_programme_settings(
        manager, world.programme, JUNE, {"grant_per_person": "900"}, note="board decision"
    )
    entry = AuditEntry.objects.get(action="programme.settings_change", object_id=str(version.pk))
    assert entry.actor_id == manager.pk
    assert entry.changes["grant_per_person"] == ["700.00", "900.00"]
    assert entry.changes["effective_from"] == [None, "2025-06-01"]
    assert "currency" not in entry.changes  # unchanged settings are not listed
    assert version.created_by == manager and version.note == "board decision"


def test_a_member_without_programme_manage_cannot_change_settings(world, alice, carol):
    for user in (alice, carol):
        with pytest.raises(PermissionDenied):
            change_programme_settings(user, world.programme, JUNE, {"grant_per_person": "900"})
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1


def test_a_manager_of_an_organisation_outside_the_programme_cannot_change_its_settings(world):
    other = accounts.create_organisation(
        system_actor(), name="IOM Senegal", kind=OrganisationType.IOM_MISSION, country="SN"
    )
    outsider = make_user("oscar", other, "programme_manager", ["SN"])
    with pytest.raises(PermissionDenied):
        change_programme_settings(outsider, world.programme, JUNE, {"grant_per_person": "900"})
    assert not AuditEntry.objects.filter(action="programme.settings_change", actor_id=outsider.pk).exists()


def test_invalid_values_are_refused_with_an_error_per_field(world, manager):
    with pytest.raises(ValidationFailed) as refused:
        change_programme_settings(
            manager,
            world.programme,
            JUNE,
            {
                "submission_response_days": 0,
                "currency": "EURO",
                "grant_per_person": "-1",
                "grant_per_family": "12.345",
                "small_cell_threshold": "many",
                "approval_threshold": 1000,
            },
        )
    fields = {field for field, _message in refused.value.errors}
    assert fields == {
        "submission_response_days",
        "currency",
        "grant_per_person",
        "grant_per_family",
        "small_cell_threshold",
        "approval_threshold",
    }
    assert ProgrammeSettings.objects.filter(programme=world.programme).count() == 1
    # The bound named as the reader writes numbers ("9 999 999 999,99" in French).
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationFailed) as refused:
        change_programme_settings(manager, world.programme, JUNE, {"grant_per_person": "-1"})
    assert "9\xa0999\xa0999\xa0999,99" in refused.value.message


def test_money_is_refused_as_a_float_and_a_non_currency_code_is_refused(world, manager):
    with pytest.raises(ValidationFailed) as refused:
        change_programme_settings(
            manager, world.programme, JUNE, {"grant_per_person": 900.5, "currency": "XXX"}
        )
    assert {field for field, _m in refused.value.errors} == {"grant_per_person", "currency"}


def test_a_version_before_the_programme_starts_is_refused(world, manager):
    with pytest.raises(ValidationFailed) as refused:
        change_programme_settings(manager, world.programme, dt.date(2023, 12, 31), {"grant_per_person": "1"})
    assert refused.value.field == "effective_from"


def test_a_version_that_changes_nothing_is_refused(world, manager):
    with pytest.raises(ValidationFailed, match="already the settings"):
        change_programme_settings(manager, world.programme, JUNE, {"grant_per_person": "700"})


def _consented(world):
    case = register(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="data_processing", given=True, given_on=today)
    cases.record_consent(world.alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    return case


def test_a_submission_keeps_the_version_it_was_made_under(world, manager):
    today = timezone.localdate()
    case = _consented(world)
    first = cases.submit_case(world.alice, case, world.gn_partner)
    assert first.settings_version == settings_on(world.programme, today)
    assert first.due_at - first.submitted_at == dt.timedelta(days=10)

    newer = change_programme_settings(manager, world.programme, today, {"submission_response_days": 3})
    first.refresh_from_db()
    assert first.due_at - first.submitted_at == dt.timedelta(days=10)  # not moved by the change
    assert first.settings_version is not None and first.settings_version.submission_response_days == 10

    cases.respond_to_submission(world.bob, first, accept=False, reason="Wrong file attached")
    second = cases.submit_case(world.alice, case, world.gn_partner)
    assert second.settings_version == newer
    assert second.due_at - second.submitted_at == dt.timedelta(days=3)
    assert Submission.objects.filter(settings_version=newer).count() == 1


def test_a_version_from_tomorrow_does_not_govern_todays_submission(world, manager):
    today = timezone.localdate()
    change_programme_settings(
        manager, world.programme, today + dt.timedelta(days=1), {"submission_response_days": 3}
    )
    submission = cases.submit_case(world.alice, _consented(world), world.gn_partner)
    assert submission.due_at - submission.submitted_at == dt.timedelta(days=10)


def test_the_small_cell_threshold_is_the_largest_in_force_among_programmes_with_cases(
    world, manager, django_assert_num_queries
):
    """A programme without cases counts in no figure: its threshold hides nothing (a new empty
    programme's 100 hid every figure of the platform); one with cases counts, active or not
    (its cases are in the figures), and for a reader only those they may read."""
    from remis.cases import actions as cases
    from remis.cases.tests.factories import make_person, make_user, register
    from remis.programmes.actions import create_programme
    from remis.programmes.models import MigrantCategory
    from remis.programmes.queries import small_cell_threshold

    register(world)  # the world's programme has a case

    other = create_programme(
        system_actor(),
        code="OTHER",
        name="Other",
        funder="Someone",
        host_countries=["BE"],
        origin_countries=["GN"],
        starts_on=dt.date(2024, 1, 1),
        small_cell_threshold=8,
    )
    change_programme_settings(manager, world.programme, JUNE, {"small_cell_threshold": 11})
    assert small_cell_threshold(JUNE - dt.timedelta(days=1)) == 5  # OTHER has no case yet
    cases.register_case(
        world.alice,
        world.be_office,
        programme=other,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="BE",
        origin_country="GN",
        person=make_person(),
    )
    with django_assert_num_queries(1):
        assert small_cell_threshold(JUNE - dt.timedelta(days=1)) == 8
    assert small_cell_threshold(JUNE) == 11
    assert small_cell_threshold(dt.date(2023, 1, 1)) == 8  # before both: their first versions
    other.active = False
    other.save()
    assert small_cell_threshold(JUNE - dt.timedelta(days=1)) == 8  # its cases still count
    # A reader of the world's programme only: OTHER's threshold is not theirs.
    outsider = make_user("olga", world.gn_partner, "me_officer", ["GN"])
    assert small_cell_threshold(JUNE - dt.timedelta(days=1), reader=outsider) == 5


def test_no_actor_is_refused_and_the_system_actor_is_recorded_as_itself(world):
    with pytest.raises(PermissionDenied):
        change_programme_settings(None, world.programme, JUNE, {"grant_per_person": "900"})
    version = change_programme_settings(system_actor(), world.programme, JUNE, {"grant_per_person": "900"})
    assert version.created_by == system_actor()
