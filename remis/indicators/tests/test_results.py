"""The shipped core framework's results checked against plain Python over generated rows
(the cohort rule of the return statistics: returns in the period, in the reader's scope),
by year and by quarter, whole and disaggregated; small cells hidden for aggregate readers;
targets compared in the indicator's direction."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from statistics import mean
from typing import Any

import pytest

from remis.accounts.models import User
from remis.cases.models import CaseMember
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.indicators import actions
from remis.indicators.models import Framework, FrameworkStatus
from remis.indicators.results import QUARTER, YEAR, compute, format_value, periods, shown
from remis.monitoring.models import FollowUp, Response
from remis.referrals.models import Referral
from remis.reports.tests.test_return_statistics import _counted_cases

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated(module_db: None) -> None:
    build_world()
    generate_cases(400, seed=31)


def _arrival(case: Any) -> dt.date:
    return case.arrival_date or case.travel.departure_date


def _core() -> Framework:
    return Framework.objects.get(code="avrr-core", status=FrameworkStatus.ACTIVE)


def _by_code(results: Any) -> dict[str, Any]:
    return {r.indicator.code: r for r in results.results}


def test_periods_cover_years_and_quarters_without_gaps():
    quarters = periods(2025, 2026, QUARTER)
    assert [p.key for p in quarters][:2] == ["2025-Q1", "2025-Q2"] and len(quarters) == 8
    for before, after in itertools.pairwise(quarters):
        assert after.start - before.end == dt.timedelta(days=1)
    assert quarters[-1].end == dt.date(2026, 12, 31)
    assert [(p.start, p.end) for p in periods(2024, 2024, YEAR)] == [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    ]


def test_core_indicators_match_the_rows(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    cases = {c.pk: c for c in _counted_cases(manager)}
    years = sorted({_arrival(c).year for c in cases.values()})
    results = compute(manager, _core(), years[0], years[-1], YEAR)
    assert results is not None and results.threshold == 0
    found = _by_code(results)
    year_of = {pk: _arrival(c).year for pk, c in cases.items()}

    persons = Counter(year_of[m.case_id] for m in CaseMember.objects.filter(case_id__in=cases))
    assert {r.period.key: r.cell.value for r in found["RET-1"].rows} == {
        str(y): (float(persons[y]) if persons[y] else None) for y in years
    }

    scores: dict[int, list[float]] = defaultdict(list)
    sustainable: dict[int, list[bool]] = defaultdict(list)
    for case_id, composite, band in Response.objects.filter(
        case_id__in=cases, follow_up__round=3, instrument__code="reintegration-sustainability"
    ).values_list("case_id", "composite", "band"):
        if composite is not None:
            scores[year_of[case_id]].append(float(composite))
        sustainable[year_of[case_id]].append(band == "sustainable")
    assert scores, "the generated data must hold third-round responses"
    for row in found["RSS-1"].rows:
        year = int(row.period.key)
        assert row.cell.n == len(scores[year])
        assert row.cell.value == (pytest.approx(mean(scores[year])) if scores[year] else None)
    for row in found["RSS-2"].rows:
        year = int(row.period.key)
        given = sustainable[year]
        assert row.cell.value == (pytest.approx(sum(given) / len(given)) if given else None)

    wish: dict[int, list[str]] = defaultdict(list)
    for case_id, answers in Response.objects.filter(
        case_id__in=cases, follow_up__round=3, instrument__code="reintegration-sustainability"
    ).values_list("case_id", "answers"):
        if answers.get("wish_to_migrate_again") in ("yes", "no"):
            wish[year_of[case_id]].append(answers["wish_to_migrate_again"])
    assert any("yes" in given for given in wish.values())
    for row in found["RSS-6"].rows:
        answered = wish[int(row.period.key)]
        assert row.cell.n == len(answered)
        if answered:
            assert row.cell.value == pytest.approx(answered.count("yes") / len(answered))

    satisfied: dict[int, list[bool]] = defaultdict(list)
    for case_id, band in Response.objects.filter(
        case_id__in=cases, instrument__code="assistance-satisfaction"
    ).values_list("case_id", "band"):
        satisfied[year_of[case_id]].append(band == "satisfied")
    assert satisfied, "the generated data must hold satisfaction answers"
    for row in found["SAT-1"].rows:
        given = satisfied[int(row.period.key)]
        assert row.cell.n == len(given)
        if given:
            assert row.cell.value == pytest.approx(sum(given) / len(given))

    ended: dict[int, list[str]] = defaultdict(list)
    for case_id, status in Referral.objects.filter(case_id__in=cases).values_list("case_id", "status"):
        if status in ("completed", "failed"):
            ended[year_of[case_id]].append(status)
    for row in found["SRV-3"].rows:
        year = int(row.period.key)
        assert row.cell.n == len(ended[year])
        if ended[year]:
            assert row.cell.value == pytest.approx(ended[year].count("completed") / len(ended[year]))

    rounds: dict[int, list[str]] = defaultdict(list)
    for case_id, status in FollowUp.objects.filter(case_id__in=cases).values_list("case_id", "status"):
        if status in ("done", "lost"):
            rounds[year_of[case_id]].append(status)
    for row in found["MON-2"].rows:
        year = int(row.period.key)
        if rounds[year]:
            assert row.cell.value == pytest.approx(rounds[year].count("done") / len(rounds[year]))

    # By quarter: the quarters of a year add up to the year's returnees.
    quarterly = _by_code(compute(manager, _core(), years[-1], years[-1], QUARTER))
    assert sum(r.cell.n for r in quarterly["RET-1"].rows) == persons[years[-1]]


def test_a_disaggregation_splits_each_period(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    cases = {c.pk: c for c in _counted_cases(manager)}
    year = max(_arrival(c).year for c in cases.values())
    results = compute(manager, _core(), year, year, YEAR, by="sex")
    assert results is not None and results.by == "sex"
    found = _by_code(results)
    expected = Counter(
        m.person.sex
        for m in CaseMember.objects.filter(case_id__in=cases).select_related("person")
        if _arrival(cases[m.case_id]).year == year
    )
    assert {g.key: g.cells[0].n for g in found["RET-1"].groups} == dict(expected)
    # An indicator that does not list the disaggregation keeps its single row.
    assert found["SRV-1"].groups == [] and found["SRV-1"].rows


def test_a_breakdown_by_country_is_in_the_readers_alphabetical_order(generated: None) -> None:
    """By code points, Égypte, Équateur and Éthiopie came after Zimbabwe in French."""
    from django.utils import translation

    from remis.reports.statistics import UNKNOWN, alphabetical

    donor = User.objects.get(username="donor")  # funds programmes returning to many countries
    with translation.override("fr"):
        results = compute(donor, _core(), 2000, 2100, YEAR, by="origin")
        assert results is not None
        labels = [g.label for g in _by_code(results)["RET-1"].groups if g.key != UNKNOWN]
    assert "Égypte" in labels and labels == sorted(labels, key=alphabetical)


def test_aggregate_readers_see_small_cells_hidden(generated: None) -> None:
    donor = User.objects.get(username="donor")
    results = compute(donor, _core(), 2000, dt.date.today().year, YEAR, by="origin")
    assert results is not None and results.threshold > 0
    found = _by_code(results)
    cells = [c for g in found["RET-1"].groups for c in g.cells] + [r.cell for r in found["RET-1"].rows]
    small = [c for c in cells if 0 < c.n < results.threshold]
    assert small, "the generated data must hold small cells"
    assert all(c.hidden for c in small)
    for cell in small:
        assert shown(found["RET-1"], cell, results.threshold) == f"<{results.threshold}"
    # A share shown never gives a small number of people: neither those meeting its numerator
    # (share × rows) nor the others, and a hidden one is never alone in its period.
    shares = found["RET-2"]
    shown_shares = [c for g in shares.groups for c in g.cells if not c.hidden and c.n]
    assert shown_shares
    threshold = results.threshold
    assert all(
        c.hits is not None and not (0 < c.hits < threshold) and not (0 < c.n - c.hits < threshold)
        for c in shown_shares
    )
    assert any(c.hidden and c.n >= threshold for g in shares.groups for c in g.cells), (
        "some share must be hidden for its numerator, not its rows"
    )
    # Each period: if one group is hidden, at least one more is (its value would follow).
    for column in range(len(results.periods)):
        hidden = [g for g in found["RET-1"].groups if g.cells[column].hidden]
        total = found["RET-1"].rows[column].cell
        assert len(hidden) != 1 or total.hidden


def test_targets_are_met_in_the_indicators_direction(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    draft = actions.new_version(manager, _core())
    year = max(_arrival(c).year for c in _counted_cases(manager))
    returns = draft.indicators.get(code="RET-1")
    actions.update_indicator(manager, returns, {"targets": f"{year}: 1\n{year - 1}: 100000"}, returns.version)
    delay = draft.indicators.get(code="SRV-1")
    actions.update_indicator(manager, delay, {"targets": f"{year}: 100000"}, delay.version)
    results = compute(manager, draft, year - 1, year, YEAR)
    assert results is not None
    found = _by_code(results)
    met = {r.period.key: r.met for r in found["RET-1"].rows}
    assert met == {str(year): True, str(year - 1): False if found["RET-1"].rows[0].cell.value else None}
    delay_row = found["SRV-1"].rows[-1]
    assert delay_row.met is (True if delay_row.cell.value is not None else None)  # fewer days than the target


def test_values_are_shown_as_their_aggregation_reads(settings) -> None:
    settings.USE_THOUSAND_SEPARATOR = True
    assert format_value("share", 0.4567) == "45.7%"
    assert format_value("count", 12345) == "12,345"
    # Days and other measures with the decimals they have, up to two ("38.00" read oddly
    # beside the outcomes page's 38).
    assert format_value("number", 0.5) == "0.5"
    assert format_value("number", 38) == "38"
    assert format_value("number", 46.5) == "46.5"
    assert format_value("number", 2.345) == "2.35" or format_value("number", 2.345) == "2.34"
    # A score's mean or median on the 0–100 scale every other page shows scores on.
    assert format_value("points", 0.6254) == "62.5"


def test_scores_resting_on_a_few_responses_read_restricted_to_those_their_records_restrict(
    generated: None,
) -> None:
    """An M&E officer without the psychosocial, protection and identity groups read one
    returnee's composite, social and psychosocial scores and band in a quarter's row for
    women (one row counted), scores her round's page reads "Restricted"."""
    from remis.indicators.results import _rests_on_restricted
    from remis.programmes.queries import small_cell_threshold
    from remis.reports.outcomes import restricted_measures

    officer = User.objects.get(username="me.gn")
    results = compute(officer, _core(), 2000, dt.date.today().year, QUARTER, by="sex")
    assert results is not None and results.threshold == 0  # a reader of case records
    least = max(small_cell_threshold(dt.date.today(), reader=officer), 2)
    withheld = restricted_measures(officer)
    scored = [r for r in _by_code(results).values() if _rests_on_restricted(r.spec, withheld)]
    assert scored, "the core framework must hold indicators over restricted scores"
    cells = [
        c for r in scored for c in [*(row.cell for row in r.rows), *(c for g in r.groups for c in g.cells)]
    ]
    few = [c for c in cells if 0 < c.n < least]
    assert few, "the generated data must hold cells of a few responses"
    assert all(c.restricted and c.hidden for c in few)
    assert all(shown(scored[0], c, 0) == "Restricted" for c in few)
    assert not any(c.restricted for c in cells if c.n >= least)  # enough responses: shown
    manager = compute(
        User.objects.get(username="manager.be"), _core(), 2000, dt.date.today().year, QUARTER, by="sex"
    )
    assert manager is not None
    assert not any(c.restricted for r in manager.results for row in r.rows for c in [row.cell])
