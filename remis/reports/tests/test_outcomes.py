"""Outcome analytics checked against plain Python over the generated rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from statistics import mean

import pytest
from django.test import Client

from remis.accounts.models import User
from remis.cases.models import Case
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.monitoring.models import FollowUp, Response
from remis.reports.outcomes import REINTEGRATION, SATISFACTION, outcomes
from remis.reports.statistics import Filters
from remis.reports.tests.test_return_statistics import _counted_cases

pytestmark = pytest.mark.django_db
START, END = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


@pytest.fixture(scope="module")
def generated(module_db: None) -> None:
    build_world()
    generate_cases(500, seed=21)


def test_scores_and_attrition_by_round_match_the_rows(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    cases = {c.pk for c in _counted_cases(manager)}
    result = outcomes(manager, Filters(START, END))
    assert result is not None and result.threshold == 0
    composite: dict[int, list[float]] = defaultdict(list)
    for response in Response.objects.filter(
        case_id__in=cases, instrument__code=REINTEGRATION, follow_up__isnull=False
    ).select_related("follow_up"):
        assert response.follow_up is not None and response.composite is not None
        composite[response.follow_up.round].append(float(response.composite))
    assert composite, "the generated data must hold answered rounds"
    shown = {row.round: row for row in result.rows if row.round is not None}
    assert set(shown) == set(composite)
    for number, values in composite.items():
        assert shown[number].responses == len(values)
        assert shown[number].means["composite"] == pytest.approx(mean(values), abs=1e-4)
        assert sum(shown[number].bands.values()) == len(values)
    today = dt.date.today()
    for line in result.attrition:
        rounds = FollowUp.objects.filter(case_id__in=cases, round=line.round)
        closed = rounds.filter(window_end__lt=today)  # the table counts closed windows only
        assert line.done == closed.filter(status="done").count()
        assert line.lost == closed.filter(status="lost").count()
        assert line.missed == closed.filter(status="scheduled").count()
        assert line.open == rounds.filter(window_end__gte=today).exclude(status="stopped").count()
    # scores rise over the rounds on average (the generator's trajectories)
    first, last = shown[min(shown)].means["composite"], shown[max(shown)].means["composite"]
    assert first is not None and last is not None and first < last


def test_intention_to_remigrate_and_satisfaction_by_service_type_match_the_rows(generated: None) -> None:
    from remis.assistance.models import AssistanceItem

    manager = User.objects.get(username="manager.be")
    cases = {c.pk for c in _counted_cases(manager)}
    result = outcomes(manager, Filters(START, END))
    assert result is not None
    wish: dict[int, list[str]] = defaultdict(list)
    for number, answers in Response.objects.filter(
        case_id__in=cases, instrument__code=REINTEGRATION, follow_up__isnull=False
    ).values_list("follow_up__round", "answers"):
        if answers.get("wish_to_migrate_again") in ("yes", "no"):
            wish[number].append(answers["wish_to_migrate_again"])
    assert any("yes" in given for given in wish.values()), "the generated answers must hold a wish to leave"
    for row in result.rows:
        assert row.round is not None
        given = wish[row.round]
        assert (row.remigrate_yes, row.remigrate_asked) == (given.count("yes"), len(given))

    kind_of = {str(key): str(kind) for key, kind in AssistanceItem.objects.values_list("key", "kind_id")}
    by_kind: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for key, composite, band in Response.objects.filter(
        case_id__in=cases, instrument__code=SATISFACTION
    ).values_list("item_key", "composite", "band"):
        assert composite is not None
        by_kind[kind_of.get(str(key), "?")].append((float(composite), band))
    assert by_kind, "the generated data must hold satisfaction answers"
    shown = {line.key: line for line in result.satisfaction}
    assert set(shown) == set(by_kind)
    for code, answers in by_kind.items():
        assert shown[code].responses == len(answers)
        assert shown[code].mean == pytest.approx(mean(c for c, _band in answers), abs=1e-4)
        assert shown[code].satisfied == sum(band == "satisfied" for _c, band in answers)
        assert shown[code].label and shown[code].label != code  # named, not an id


def test_satisfaction_with_a_type_of_a_group_the_reader_does_not_hold_counts_as_restricted(
    generated: None,
) -> None:
    """Psychosocial counselling, named and scored for a reader who reads it as "Restricted"
    everywhere else."""
    from remis.assistance.models import AssistanceType
    from remis.reports.statistics import RESTRICTED

    sensitive = AssistanceType.objects.exclude(sensitive_group="")
    hidden = {str(pk) for pk in sensitive.values_list("pk", flat=True)}
    officer = User.objects.get(username="me.gn")  # an M&E officer: no sensitive group
    full = outcomes(User.objects.get(username="manager.be"), Filters(START, END))
    result = outcomes(officer, Filters(START, END))
    assert full is not None and result is not None
    assert hidden & {line.key for line in full.satisfaction}, "the generated data must score such a type"
    keys = {line.key for line in result.satisfaction}
    assert not keys & hidden and RESTRICTED in keys
    restricted = next(line for line in result.satisfaction if line.key == RESTRICTED)
    assert restricted.label == "Restricted"


def test_a_few_responses_do_not_give_a_reader_the_scores_their_record_restricts(generated: None) -> None:
    """An M&E officer without the psychosocial, protection and identity groups reads a
    response's social, psychosocial and composite scores as "Restricted"; the outcomes of a
    month with one returnee gave them back. A row of enough responses keeps its means."""
    from remis.programmes.queries import small_cell_threshold
    from remis.reports.outcomes import restricted_measures

    officer = User.objects.get(username="me.gn")
    assert restricted_measures(officer) >= {"social", "psychosocial", "composite", "median", "bands"}
    assert "economic" not in restricted_measures(officer)
    assert restricted_measures(User.objects.get(username="manager.be")) == frozenset()
    least = max(small_cell_threshold(dt.date.today(), reader=officer), 2)
    small = large = None
    for year in range(2000, 2030):
        for month in range(1, 13):
            start = dt.date(year, month, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            result = outcomes(officer, Filters(start, end))
            for row in result.rows if result else []:
                if 0 < row.responses < least and small is None:
                    small = row
        if small is not None:
            break
    whole = outcomes(officer, Filters(START, END))
    assert whole is not None
    large = next(row for row in whole.rows if row.responses >= least)
    assert small is not None, "the generated data must hold a month with few responses"
    assert "social" in small.restricted and small.means["social"] is None and small.median is None
    assert small.means["economic"] is not None  # a dimension they hold on the record too
    assert (not small.bands and small.remigrate_asked == 0) or "remigrate" not in small.restricted
    assert not large.restricted and large.means["social"] is not None


def test_comparison_samples_and_groups(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    result = outcomes(manager, Filters(START, END), "sex")
    assert result is not None
    assert {row.key for row in result.rows} <= {"F", "M", "X", "U", "?"}
    assert result.comparison is not None and result.comparison.responses > 0
    samples = Response.objects.filter(
        case__isnull=True,
        instrument__code=REINTEGRATION,
        collected_on__gte=result.samples_from,
        collected_on__lte=result.samples_to,
    )
    assert result.comparison.responses == samples.count()


def test_the_page_in_each_language(generated: None, client: Client) -> None:
    client.force_login(User.objects.get(username="manager.be"))
    for language in ("en", "fr", "ar"):
        client.cookies["django_language"] = language
        page = client.get(
            "/reports/outcomes/",
            {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "assistance"},
        )
        assert page.status_code == 200 and page.context["result"].rows
        # Shares as the language writes them: "43%" in English (it wrote "43 %"), "43 %" in French.
        text = page.content.decode()
        if language == "en":
            assert re.search(r">\d+%<", text) and not re.search(r">\d+ %<", text)
        if language == "fr":
            assert re.search(r">\d+\u00a0%<", text)
            # Scores with one decimal, as the case page shows them (it read a rounded "57").
            composite = page.context["result"].rows[0].means["composite"]
            assert f">{composite * 100:.1f}<".replace(".", ",") in text
        if language == "ar":  # a median and a mean separated as Arabic separates them (it read "35; 37,7")
            assert re.search(r">\d+؛ \d", text) and not re.search(r">\d+; \d", text)
        if language == "en":  # the period and the moment the figures stand at (stated nowhere)
            assert "Definition of these figures" in text and "Figures as of" in text
            assert "1 Jan 2000 – 1 Dec 2026" in text
    donor = User.objects.get(username="donor")
    client.force_login(donor)
    page = client.get("/reports/outcomes/")
    assert page.status_code == 200
    result = page.context["result"]
    assert result.threshold > 0
    assert all(row.hidden or row.responses >= result.threshold for row in result.rows)
    assert Case.objects.exists()


def test_a_breakdown_by_vulnerability_is_for_readers_of_case_records_only(
    generated: None, client: Client
) -> None:
    """As in the return statistics and their API: the donor's viewer may not compare
    outcomes by vulnerability (trafficking, violence, health), on the page or by its URL."""
    asked = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "vulnerability"}
    client.force_login(User.objects.get(username="manager.be"))
    page = client.get("/reports/outcomes/", asked)
    assert page.status_code == 200 and page.context["result"].rows
    donor = User.objects.get(username="donor")
    client.force_login(donor)
    page = client.get("/reports/outcomes/", asked)
    assert page.context["result"] is None and "by" in page.context["form"].errors
    assert "vulnerability" not in dict(page.context["form"].fields["by"].choices)
    cohort = Filters(start=dt.date(2000, 1, 1), end=dt.date(2026, 12, 1))
    assert outcomes(donor, cohort, "vulnerability") is None  # the query refuses it too


def test_the_tables_download_as_shown(generated: None, client: Client) -> None:
    """The page had no download: an M&E officer retyped its tables for a donor's annex."""
    import csv
    import io

    from openpyxl import load_workbook

    manager = User.objects.get(username="manager.be")
    client.force_login(manager)
    asked = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "sex"}
    page = client.get("/reports/outcomes/", asked)
    result = page.context["result"]
    assert "format=csv" in page.content.decode() and "format=xlsx" in page.content.decode()
    # The comparison row is said to be every country's samples (an M&E officer of one country
    # read it as theirs): a sample's response records no country.
    assert result.comparison is not None and "not matched to the countries" in page.content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/outcomes/", {**asked, "format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["Sex", "Round", "Responses"]
    assert rows[0][-1] == "Wish to leave again (share, 1 = 100 %)"  # the page says 45 %, the file 0.45
    # Each row's responses and composite score as the page shows them (0 to 100, one decimal).
    from remis.reports.templatetags.report_tags import score

    for row, line in zip(result.rows, rows[1:], strict=False):
        assert line[2] == str(row.responses)
        composite = row.means["composite"]
        assert line[6] == ("" if composite is None else score(composite))  # the page's own text
    assert rows[-1][0] == "Comparison samples"
    client.cookies["django_language"] = "fr"
    response = client.get("/reports/outcomes/", {**asked, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    # Every table of the page ("every table", the link says): the process and visit modes too.
    assert book.sheetnames == [
        "Scores par passage",
        "Satisfaction",
        "Attrition par passage",
        "Processus et qualité des…",  # cut at a word within Excel's 31 characters, marked
        "Comment les visites ont…",
        "Définition",
    ]
    process = list(book[book.sheetnames[3]].iter_rows(values_only=True))
    assert len(process) == 8 and process[7][0].startswith("Suivis réalisés dans leur fenêtre")
    assert process[0][:3] == ("Indicateur", "Comptés", "Part")
    numbers = [cell for row in process[1:] for cell in row[1:] if cell not in (None, "")]
    assert numbers and all(isinstance(cell, int | float) for cell in numbers)  # none written as text
    attrition = list(book["Attrition par passage"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in attrition] == [line.done for line in result.attrition]


def test_figures_are_rounded_not_cut_and_rounded_once() -> None:
    """The file cut 2.268 cases per worker to 2.2 where the page read 2.3; a mean score of
    0.76154, rounded to 4 places and then to one decimal of 0–100, read 76.1."""
    from types import SimpleNamespace

    from remis.monitoring.response_forms import points_value
    from remis.reports.outcome_files import _process

    assert points_value(0.76154) == 76.2 and points_value("0.7615") == 76.2 and points_value(0.7614) == 76.1
    delay = SimpleNamespace(cases=3, median=12, mean=39.96)
    process = SimpleNamespace(
        cases_per_worker=846 / 373,
        per_worker_median=2,
        per_worker_max=10,
        approval=delay,
        payment=delay,
        answered=0,
        acceptance_rate=None,
        ended=0,
        completion_rate=None,
        submissions_answered=0,
        in_time_rate=None,
        held=846,
        rounds_closed=0,
        within_window_rate=None,
        count_marks={},
        threshold=0,
    )
    header, rows = _process(process)
    assert header[2:] == ["Share", "Median", "Mean", "Most"]
    # Each figure a number in its own column: "12; 40.0" in one cell could not be summed.
    assert rows[0][1:] == [3, "", 12, 40.0, ""]
    assert rows[5][1:] == [846, "", 2, 2.3, 10]
    assert rows[2][1:] == [0, "", "", "", ""]  # nothing answered: no share, not 0 %


def test_a_grouped_count_keeps_its_order_in_an_arabic_sentence() -> None:
    """ "مجموع الأشخاص: 367 1" for 1 367: the space between the groups is neutral."""
    from django.utils import translation

    from remis.reports.templatetags.report_tags import count

    with translation.override("ar"):
        assert count(1367) == "\u20661\u00a0367\u2069" and count(12) == "12"
    with translation.override("fr"):
        assert "\u2066" not in count(1367) and "367" in count(1367)  # left to right already


def test_a_hidden_outcome_count_reads_as_the_statistics_read_it() -> None:
    """A donor who learned from the annual report that "x" is a count of 5 or more read
    "Sustainable x" as such; it stood for 1. A small hidden count now reads "<5", a larger
    one hidden with it "x", on the page and in the files."""
    from remis.reports.outcome_files import _count
    from remis.reports.outcomes import hidden_mark
    from remis.reports.templatetags.report_tags import hidden_count

    assert hidden_mark(1, 5) == -2 and hidden_mark(4, 5) == -2 and hidden_mark(7, 5) == -1
    assert hidden_count(hidden_mark(1, 5), 5) == "\u2066<5\u2069" or "<5" in hidden_count(-2, 5)
    assert hidden_count(hidden_mark(12, 5), 5) == "x" and hidden_count(1234, 5).endswith("234")
    assert _count(-2, 5) == "<5" and _count(-1, 5) == "x" and _count(3, 5) == 3
