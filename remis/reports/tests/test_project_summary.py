"""The community projects summary: its counts checked against the projects as created, the
period and the reader's scope, the page with its downloads in each language, the API, and
the annual report's section."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from remis.cases.tests.factories import PASSWORD, make_user, returned_case
from remis.communities import actions
from remis.communities.tests.conftest import valid_values
from remis.reports.projects import project_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world: Any, bob: Any) -> list[Any]:
    """Guinea: two ongoing projects (one returnee, back today, in both) and one completed in
    2024; Senegal: one in preparation; a cancelled one, never counted."""
    world.programme.funders.add(world.donor)  # victor, the donor's viewer, counts them all
    sn = make_user("sana", world.gn_partner, "case_worker", ["SN"])
    kindia = actions.create_project(bob, valid_values())  # ongoing since March 2026, 12 members
    garden = actions.create_project(
        bob, valid_values(name="Garden", start_date=dt.date(2026, 6, 1), tags=[], members={})
    )
    school = actions.create_project(
        bob,
        valid_values(
            name="School",
            kind="infrastructure",
            status="completed",
            start_date=dt.date(2024, 2, 1),
            end_date=dt.date(2024, 12, 1),
            tags=["sdg_10_7"],
            members={"M_0_17": 30},
        ),
    )
    actions.create_project(bob, valid_values(name="Stopped", status="cancelled"))
    market = actions.create_project(
        sn,
        valid_values(name="Market", country="SN", status="preparation", start_date=None, tags=[], members={}),
    )
    returnee = returned_case(world)
    actions.add_participant(bob, kindia, returnee.reference)
    actions.add_participant(bob, garden, returnee.reference)
    return [kindia, garden, school, market]


def test_the_totals_count_projects_countries_returnees_and_members(world: Any, projects: Any) -> None:
    summary = project_summary(world.victor)
    assert (summary.projects, summary.countries, summary.returnees, summary.members) == (4, 2, 1, 42)
    by_country = {r.key: r for r in summary.by_country}
    assert (by_country["GN"].projects, by_country["GN"].ongoing, by_country["GN"].completed) == (3, 2, 1)
    assert by_country["GN"].returnees == 2  # one returnee in two projects: once in each
    assert (by_country["GN"].women, by_country["GN"].men) == (8, 34)
    assert by_country["SN"].preparation == 1
    assert {r.key: r.projects for r in summary.by_tag} == {"sdg_10_2": 1, "gcm_21": 1, "sdg_10_7": 1}


def test_a_year_counts_the_projects_that_ran_in_it(world: Any, projects: Any) -> None:
    in_2024 = project_summary(world.victor, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    # The school ran in 2024; the market, in preparation now, is not a 2024 project.
    assert [r.key for r in in_2024.by_country] == ["GN"] and in_2024.projects == 1
    assert in_2024.returnees == 0  # nobody had joined by the end of 2024
    this_year = timezone.localdate().year
    now = project_summary(world.victor, dt.date(this_year, 1, 1), dt.date(this_year, 12, 31))
    assert (now.projects, now.returnees) == (3, 1)  # both Guinean ones and the market
    assert project_summary(world.victor, dt.date(2025, 1, 1), dt.date(2025, 12, 31)).projects == 0


def test_a_reader_counts_only_projects_they_may_read(world: Any, projects: Any, alice: Any) -> None:
    assert project_summary(alice).projects == 0  # Belgium: no project there, funds none
    assert project_summary(world.bob).projects == 3  # Guinea only


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_page_and_its_downloads(world: Any, projects: Any, language: str) -> None:
    client = _client(world.victor, language)
    page = client.get(reverse("project_summary"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}"' in html and 'data-chart="projects-chart-spec"' in html
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("project_summary") + "?format=csv").content.decode()))
    )
    assert [row[0] for row in rows[1:]] == ["GN", "SN"] and rows[1][2] == "3"
    book = load_workbook(
        io.BytesIO(client.get(reverse("project_summary") + "?year=2024&format=xlsx").content)
    )
    assert len(book.sheetnames) == 4
    assert [r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["GN"]


def test_a_bad_year_is_named_and_no_figure_shown(world: Any, projects: Any) -> None:
    page = _client(world.victor).get(reverse("project_summary") + "?year=1700")
    assert page.context["form"].errors["year"] and page.context["summary"] is None


def test_readers_without_statistics_are_refused(world: Any, projects: Any, alice: Any) -> None:
    assert _client(alice).get(reverse("project_summary")).status_code == 403


def test_the_api_gives_the_same_figures(api_client: Any, world: Any, projects: Any) -> None:
    year = timezone.localdate().year
    body = api_client.as_(world.victor).get(f"/reports/community-projects?year={year}").json()
    # A donor's viewer counts the projects, but not the one returnee: that count is hidden.
    assert (body["projects"], body["countries"], body["returnees"]) == (3, 2, None)
    assert body["members"] in (12, None) and body["threshold"] >= 2
    assert [(r["key"], r["projects"]) for r in body["by_country"]] == [("GN", 2), ("SN", 1)]
    people = [r[k] for r in body["by_country"] for k in ("returnees", "women", "men", "members")]
    assert all(v is None or v == 0 or v >= body["threshold"] for v in people)
    # Refused as the page refuses them: a year to come (figures read as that year's) and a
    # programme the reader does not see.
    api = api_client.as_(world.victor)
    ahead = api.get(f"/reports/community-projects?year={year + 1}")
    assert ahead.status_code == 422 and ahead.json()["errors"][0]["field"] == "year"
    assert api.get("/reports/community-projects?programme=999999").status_code == 422
    refused = api_client.as_(world.alice).get("/reports/community-projects")
    assert refused.status_code == 403


def test_the_annual_report_has_the_year_s_projects(world: Any, projects: Any) -> None:
    page = _client(world.victor).get(reverse("annual_report") + "?year=2024")
    assert 'id="community-projects"' in page.content.decode()
    shown = page.context["projects"]
    assert (shown.projects, shown.countries, shown.returnees, shown.members) == (1, 1, 0, 30)


def test_the_summary_and_the_annual_report_are_valid_html(world: Any, projects: Any, tmp_path: Any) -> None:
    from tests.test_pages_are_valid_html import run_vnu

    files = []
    for name, url in (
        ("summary", reverse("project_summary")),
        ("summary-errors", reverse("project_summary") + "?year=1700"),
        ("annual", reverse("annual_report") + "?year=2024"),
    ):
        for language in ("en", "fr", "ar"):
            path = tmp_path / f"{name}.{language}.html"
            path.write_text(_client(world.victor, language).get(url).content.decode(), encoding="utf-8")
            files.append(path)
    assert [(e["url"].rsplit("/", 1)[-1], e["message"]) for e in run_vnu(files)] == []


def test_no_small_count_of_people_can_be_worked_out_across_the_three_tables(world: Any, bob: Any) -> None:
    """A type with one project and that project's country print the same counts: what one
    hides the other must not give back (found in a walk: Guinea's men by country were
    hidden, the type's women and members printed). Checked by linear algebra over the
    projects' counts and everything the summary prints to a donor's viewer."""
    import numpy as np

    from remis.lib.suppression import primary

    world.programme.funders.add(world.donor)
    sana = make_user("sana", world.gn_partner, "case_worker", ["SN"])
    # Senegal's only project is the only infrastructure project: two rows, the same counts
    actions.create_project(
        sana,
        valid_values(
            name="Bakery", country="SN", kind="infrastructure", tags=[], members={"F_18_34": 8, "M_18_34": 2}
        ),
    )
    actions.create_project(bob, valid_values(name="Nursery", members={"F_18_34": 7, "M_18_34": 6}))
    actions.create_project(bob, valid_values(name="Farm", members={"F_18_34": 9, "M_18_34": 9}))
    summary = project_summary(world.victor, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    threshold = summary.threshold
    assert threshold >= 2
    from remis.communities.models import CommunityProject

    found = list(CommunityProject.objects.exclude(status="cancelled"))
    unknowns = [(p.pk, sex) for p in found for sex in ("F", "M")]  # what no table prints
    value = {
        (p.pk, sex): sum(int(n) for g, n in p.members.items() if g.startswith(sex + "_"))
        for p in found
        for sex in ("F", "M")
    }
    rows = []  # (projects in the row, sexes counted, printed value or None)
    for name, key_of in (
        ("country", lambda p: [p.country]),
        ("type", lambda p: [p.kind]),
        ("tag", lambda p: p.tags),
    ):
        for row in getattr(summary, f"by_{name}"):
            holding = [p.pk for p in found if row.key in key_of(p)]
            for column, sexes in (("women", ("F",)), ("men", ("M",)), ("members", ("F", "M"))):
                shown = row.shown[column]
                if isinstance(shown, int):
                    rows.append((holding, sexes, shown))
    index = {u: i for i, u in enumerate(unknowns)}
    matrix = np.zeros((len(rows), len(unknowns)))
    for r, (holding, sexes, _shown) in enumerate(rows):
        for pk in holding:
            for sex in sexes:
                matrix[r, index[(pk, sex)]] = 1
    rank = np.linalg.matrix_rank(matrix)

    def fixed(vector: Any) -> bool:
        return bool(np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank)

    # no project's small count, nor any row's small count, is determined
    for unknown in unknowns:
        if primary(value[unknown], threshold):
            unit = np.zeros((1, len(unknowns)))
            unit[0, index[unknown]] = 1
            assert not fixed(unit), unknown
    assert any(isinstance(r.shown["men"], str) for r in summary.by_type + summary.by_country)


@st.composite
def _projects(draw: Any) -> list[tuple[Any, ...]]:
    count = draw(st.integers(1, 4))
    return [
        (
            pk,
            draw(st.sampled_from(["GN", "SN"])),
            draw(st.sampled_from(["environment", "infrastructure"])),
            draw(st.sampled_from([[], ["sdg_10_2"]])),
            draw(st.integers(0, 6)),
            draw(st.integers(0, 9)),
            draw(st.integers(0, 9)),
        )
        for pk in range(1, count + 1)
    ]


@settings(max_examples=200, deadline=None)
@given(_projects())
def test_hiding_over_random_projects_gives_no_small_count_back(atoms: list[tuple[Any, ...]]) -> None:
    """The same, over random sets of projects (no database): the summary's rows built from
    the projects, hidden for a threshold of 5, then every printed count written as a sum of
    the projects' counts; no small count — a project's or a row's — lies in their span."""
    import numpy as np

    from remis.lib.suppression import primary
    from remis.reports.projects import Row, Summary, _protect

    def rows(key_of: Any) -> list[Row]:
        found: dict[str, Row] = {}
        for _pk, country, kind, tags, returnees, women, men in atoms:
            for key in key_of(country, kind, tags):
                row = found.setdefault(key, Row(key, key))
                row.projects += 1
                row.returnees += returnees
                row.women += women
                row.men += men
        return list(found.values())

    summary = Summary(
        start=None,
        end=None,
        programme=None,
        projects=len(atoms),
        countries=len({a[1] for a in atoms}),
        returnees=sum(a[4] for a in atoms),
        members=sum(a[5] + a[6] for a in atoms),
        by_country=rows(lambda c, k, t: [c]),
        by_type=rows(lambda c, k, t: [k]),
        by_tag=rows(lambda c, k, t: t),
    )
    _protect(summary, 5, atoms)
    columns = {"returnees": (4,), "women": (5,), "men": (6,), "members": (5, 6)}
    unknowns = [(a[0], i) for a in atoms for i in (4, 5, 6)]
    index = {u: n for n, u in enumerate(unknowns)}

    def vector(projects: list[tuple[Any, ...]], column: str) -> Any:
        out = np.zeros(len(unknowns))
        for a in projects:
            for i in columns[column]:
                out[index[(a[0], i)]] = 1
        return out

    printed: list[tuple[Any, int]] = []
    small: list[tuple[Any, int]] = []
    for name, key_of in (("country", lambda a: [a[1]]), ("type", lambda a: [a[2]]), ("tag", lambda a: a[3])):
        for row in getattr(summary, f"by_{name}"):
            holding = [a for a in atoms if row.key in key_of(a)]
            for column in columns:
                exact = sum(a[i] for a in holding for i in columns[column])
                (printed if isinstance(row.shown[column], int) else small).append(
                    (vector(holding, column), exact)
                )
    if isinstance(summary.shown["members"], int):
        printed.append((vector(atoms, "members"), summary.members))
    small = [(v, n) for v, n in small if primary(n, 5)]
    small += [(vector([a], c), a[columns[c][0]]) for a in atoms for c in ("returnees", "women", "men")]
    small = [(v, n) for v, n in small if primary(n, 5)]
    matrix = np.array([v for v, _n in printed]) if printed else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(matrix) if printed else 0
    for v, _n in small:
        assert np.linalg.matrix_rank(np.vstack([matrix, v])) > rank


def test_an_annual_package_has_the_years_projects_as_the_annual_report(
    world: Any, projects: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The package of 2024 had no community projects section, where the annual report for
    the same year and edition has one: a donor given "the annual package" read less."""
    from remis.jobs.models import JobStatus
    from remis.reports.packages import request_package
    from remis.reports.statistics import Edition

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        package = request_package(world.victor, kind="annual", year=2024, edition=Edition.PUBLIC)
    package.refresh_from_db()
    job = package.job
    assert job is not None
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    frozen = package.snapshot["projects"]
    page = _client(world.victor).get(reverse("annual_report") + "?year=2024").context["projects"]
    assert frozen["projects"] == page.projects and frozen["shown"] == dict(page.shown)
    book = load_workbook(io.BytesIO(package.xlsx.open("rb").read()))
    rows = list(book["Community projects"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Country", "Projects")
    assert [(r[0], r[2]) for r in rows[1:]] == [(row.key, row.projects) for row in page.by_country]


def test_a_public_report_names_whose_cases_it_counts(world: Any, projects: Any) -> None:
    """The public edition, made to be handed on, said "the cases your organisation has access
    to within your countries": its reader could not tell whose."""
    page = _client(world.victor).get(reverse("annual_report") + "?year=2024").content.decode()
    assert "your organisation has access" not in page
    assert f"Counted from the cases held by {world.donor.name}" in page
    assert world.programme.name in page  # the programme the donor funds
