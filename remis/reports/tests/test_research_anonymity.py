"""The k rule of the research extracts, over generated populations: every combination of
quasi-identifiers written is shared by at least k rows, no row is lost without being
counted, a household's period is written at one step, and rows are coarsened only when
their group is too small."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from remis.reports.research.anonymity import STEPS, QuasiIdentifiers, generalised, period, protect

AGES = ["0-4", "5-11", "12-17", "18-24", "25-34", "35-49", "50-59", "60+", ""]


@st.composite
def populations(draw: st.DrawFn) -> list[QuasiIdentifiers]:
    """Households of 1 to 4 members sharing origin and day of arrival, drawn from few
    values so that groups of every size occur."""
    rows = []
    for household in range(draw(st.integers(0, 60))):
        origin = draw(st.sampled_from(["GN", "IQ", "SN", "XK"]))
        day = draw(st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31)))
        # Most programmes have one host country; one covers several.
        host, programme = draw(
            st.sampled_from([("BE", "REAB-BE"), ("NL", "NL-AVRR"), ("DZ", "SAHEL"), ("NE", "SAHEL")])
        )
        for _member in range(draw(st.integers(1, 4))):
            sex = draw(st.sampled_from(["F", "M", "X", "U"]))
            rows.append(
                QuasiIdentifiers(sex, draw(st.sampled_from(AGES)), origin, day, household, host, programme)
            )
    return rows


@settings(max_examples=300, deadline=None)
@given(populations(), st.integers(2, 8))
def test_every_combination_written_is_shared_by_k_rows_and_none_is_lost(
    rows: list[QuasiIdentifiers], k: int
) -> None:
    protection = protect(rows, k)
    written = [
        generalised(row, step) for row, step in zip(rows, protection.steps, strict=True) if step is not None
    ]
    assert all(n >= k for n in Counter(written).values())
    assert len(written) + protection.suppressed == len(rows)
    assert protection.coarsened == sum(1 for s in protection.steps if s)


@settings(max_examples=200, deadline=None)
@given(populations(), st.integers(2, 8))
def test_a_household_is_written_at_one_period(rows: list[QuasiIdentifiers], k: int) -> None:
    protection = protect(rows, k)
    periods: dict[object, set[str]] = {}
    for row, step in zip(rows, protection.steps, strict=True):
        if step is not None:
            periods.setdefault(row.household, set()).add(STEPS[step][0])
    assert all(len(kinds) == 1 for kinds in periods.values())


def test_large_groups_keep_their_month_and_small_ones_are_coarsened_then_suppressed() -> None:
    march = dt.date(2024, 3, 10)
    crowd = [QuasiIdentifiers("F", "25-34", "GN", march, n) for n in range(5)]
    # Two in April and three in May: under 5 a month, 5 in the quarter.
    spring = [QuasiIdentifiers("M", "25-34", "GN", dt.date(2024, 4 + (n > 1), 2), 10 + n) for n in range(5)]
    alone = [QuasiIdentifiers("X", "60+", "IQ", march, 99)]
    protection = protect(crowd + spring + alone, 5)
    assert protection.steps == [0] * 5 + [1] * 5 + [None]
    assert generalised(spring[0], 1) == ("M", "25-34", "GN", "", "", "2024-Q2")
    assert (protection.coarsened, protection.suppressed) == (5, 1)


def test_periods_are_written_as_month_quarter_or_year() -> None:
    day = dt.date(2025, 11, 30)
    assert [period(day, kind) for kind in ("month", "quarter", "year")] == ["2025-11", "2025-Q4", "2025"]


def test_a_host_country_shared_by_fewer_than_k_is_withheld_with_its_programme() -> None:
    """The only woman returned from Algeria was one row, her host country written: among
    rows alike in everything else, the host country is what singled her out."""
    march = dt.date(2024, 3, 10)
    crowd = [QuasiIdentifiers("F", "25-34", "GN", march, n, "BE", "REAB-BE") for n in range(5)]
    alone = QuasiIdentifiers("F", "25-34", "GN", march, 99, "DZ", "SAHEL")
    protection = protect([*crowd, alone], 5)
    written = [
        generalised(r, s) for r, s in zip([*crowd, alone], protection.steps, strict=True) if s is not None
    ]
    assert ("F", "25-34", "GN", "DZ", "SAHEL", "2024-03") not in written
    assert all(n >= 5 for n in Counter(written).values())
    assert all(host != "DZ" and programme != "SAHEL" for _s, _a, _o, host, programme, _p in written)
