"""Targets and baselines read as an M&E officer types them: a share as 60% or 0.6 (never a
bare 2, which could be either), digits typed on an Arabic keyboard, no percentage but for a
share, no negative count; an untouched save of an indicator with a baseline writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from remis.audit.models import AuditEntry
from remis.indicators import actions
from remis.indicators.forms import IndicatorForm
from remis.indicators.models import Framework, FrameworkStatus
from remis.lib.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_targets_as_typed() -> None:
    assert actions.parse_targets("2026: 60%\n2027-q1: 0,7\n2028: 1", "share") == {
        "2026": "0.6",
        "2027-Q1": "0.7",
        "2028": "1",
    }
    assert actions.parse_targets("٢٠٢٦: ٦٠٪\n٢٠٢٧: ٠٫٥", "share") == {"2026": "0.6", "2027": "0.5"}
    assert actions.parse_targets("2026: 12.5", "count") == {"2026": "12.5"}
    # Round numbers written out: normalised, 1000 was kept and shown as "1E+3".
    assert actions.parse_targets("2026: 1000\n2027: 2500.00", "count") == {"2026": "1000", "2027": "2500"}
    # A score's mean or median is typed in points, as pages show scores, and kept as a fraction.
    assert actions.parse_targets("2026: 62\n2027: 65,5", "points") == {"2026": "0.62", "2027": "0.655"}
    for text, aggregation, message in (
        (
            "2026: 2",
            "share",
            "Line 1: Write a share as a percentage (60%) or a fraction (0.6), from 0 to 100%.",
        ),
        ("2026: 60%", "mean", "Line 1: Only a share is written as a percentage."),
        ("2026: -5", "count", "Line 1: A count is not negative."),
        ("2026: 120", "points", "Line 1: Write a score from 0 to 100, as scores are shown."),
        ("2026: 1\n2026: 2", "count", "Line 2: 2026 has a target already."),
    ):
        with pytest.raises(ValidationFailed) as refused:
            actions.parse_targets(text, aggregation)
        assert refused.value.errors == [("targets", message)]


def test_an_untouched_save_with_a_baseline_writes_nothing(world: Any) -> None:
    draft = actions.new_version(world.carol, Framework.objects.get(status=FrameworkStatus.ACTIVE))
    share = draft.indicators.get(code="RET-2")
    actions.update_indicator(world.carol, share, {"baseline": "45%", "targets": "2026: 60%"}, share.version)
    share.refresh_from_db()
    assert str(share.baseline) == "0.4500" and share.targets == {"2026": "0.6"}
    entries = AuditEntry.objects.count()
    # What the edit form gives back untouched: the share as a percentage, as typed.
    shown = IndicatorForm.editing(share).initial
    assert (shown["baseline"], shown["targets"]) == ("45%", "2026: 60%")
    assert (
        actions.update_indicator(
            world.carol, share, {"baseline": shown["baseline"], "targets": shown["targets"]}, share.version
        )
        == {}
    )
    assert AuditEntry.objects.count() == entries
    with pytest.raises(ValidationFailed) as refused:
        actions.update_indicator(world.carol, share, {"baseline": "45"}, share.version)
    assert refused.value.errors[0][0] == "baseline"


def test_a_programme_is_linked_only_by_whoever_may_read_it(world: Any) -> None:
    """Carol (IOM Belgium) cannot link another organisation's programme, and is told as for
    a code that does not exist; a link made by its own people stays when she saves."""
    from remis.accounts.system import system_actor
    from remis.cases.tests.factories import make_user
    from remis.programmes import actions as programmes

    dutch = programmes.create_programme(
        system_actor(), code="NL-ONLY", name="Dutch only (synthetic)", host_countries=["NL"],
        origin_countries=["GN"], starts_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    programmes.add_partner(system_actor(), dutch, world.nl_office, "host_coordinator", ["NL"])
    draft = actions.new_version(world.carol, Framework.objects.get(status=FrameworkStatus.ACTIVE))
    share = draft.indicators.get(code="RET-2")
    for code in ("NL-ONLY", "NO-SUCH"):
        with pytest.raises(ValidationFailed) as refused:
            actions.update_indicator(world.carol, share, {"programmes": [code]}, share.version)
        assert refused.value.errors == [("programmes", f"No programme has the code {code}.")]
    nina = make_user("nina", world.nl_office, "me_officer", ["NL"])
    actions.update_indicator(nina, share, {"programmes": ["NL-ONLY", "BE-REAB"]}, share.version)
    share.refresh_from_db()
    actions.update_indicator(world.carol, share, {"name": "Returns, renamed"}, share.version)
    share.refresh_from_db()
    assert sorted(share.programmes.values_list("code", flat=True)) == ["BE-REAB", "NL-ONLY"]
