"""The indicator framework pages: valid HTML in English, French and Arabic (forms with their
errors too); a new version, an indicator added through the form with its errors named, an
untouched edit, activation retiring the previous version; results with downloads; who may
read and who may change."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD, returned_case
from remis.indicators import actions
from remis.indicators.models import Framework, FrameworkStatus
from tests.test_pages_are_valid_html import run_vnu

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _core() -> Framework:
    return Framework.objects.get(code="avrr-core", status=FrameworkStatus.ACTIVE)


def _indicator_data(**changes: Any) -> dict[str, Any]:
    data = {
        "code": "RSS-9",
        "name": "Returnees progressing or better at 6 months",
        "definition": "",
        "dimension": "overall",
        "level": "individual",
        "core": "on",
        "aggregation": "share",
        "subject": "responses",
        "field": "",
        "where": "round = 2",
        "numerator": "band in progressing, sustainable",
        "disaggregations": ["sex", "origin"],
        "direction": "higher",
        "baseline": "",
        "targets": "2026: 60%\n2027: 0.7",
        "countries": [],
        "version": "",
    }
    data.update(changes)
    return data


def test_pages_are_valid_html_in_three_languages(world: Any, tmp_path: Path) -> None:
    returned_case(world)
    draft = actions.new_version(world.carol, _core())
    indicator = draft.indicators.get(code="RSS-1")
    pages = [
        ("list", reverse("framework_list"), None),
        ("list-empty", reverse("framework_list") + "?status=retired", None),
        ("detail", reverse("framework_detail", args=[_core().uuid]), None),
        ("draft", reverse("framework_detail", args=[draft.uuid]), None),
        ("new", reverse("framework_create"), None),
        ("new-errors", reverse("framework_create"), {"code": "Bad Code", "name": ""}),
        ("indicator-new", reverse("indicator_create", args=[draft.uuid]), None),
        (
            "indicator-errors",
            reverse("indicator_create", args=[draft.uuid]),
            _indicator_data(code="RSS-1", where="round ~ 2", targets="next year: 5"),
        ),
        ("indicator-edit", reverse("indicator_edit", args=[draft.uuid, indicator.pk]), None),
        ("results", reverse("framework_results", args=[_core().uuid]), None),
        (
            "results-by",
            reverse("framework_results", args=[_core().uuid]) + "?granularity=quarter&by=sex",
            None,
        ),
        ("results-errors", reverse("framework_results", args=[_core().uuid]) + "?first=2026&last=2020", None),
    ]
    files: list[Path] = []
    for name, url, data in pages:
        for language in ("en", "fr", "ar"):
            client = _client(world.carol, language)
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 200, (name, language, response.status_code)
            body = response.content.decode()
            assert f'<html lang="{language}"' in body
            path = tmp_path / f"{name}.{language}.html"
            path.write_text(body, encoding="utf-8")
            files.append(path)
    assert [(e["url"].rsplit("/", 1)[-1], e["message"]) for e in run_vnu(files)] == []


def test_a_new_version_gets_an_indicator_through_the_form_and_replaces_the_active_one(world: Any) -> None:
    client = _client(world.carol)
    core = _core()
    response = client.post(reverse("framework_step", args=[core.uuid, "new-version"]))
    draft = Framework.objects.get(code="avrr-core", status=FrameworkStatus.DRAFT)
    assert response["Location"] == reverse("framework_detail", args=[draft.uuid])
    assert draft.number == 2 and draft.indicators.count() == core.indicators.count()

    url = reverse("indicator_create", args=[draft.uuid])
    refused = client.post(url, _indicator_data(code="RSS-1", where="round ~ 2", targets="next year: 5"))
    errors = refused.context["form"].errors
    assert errors["code"] == ["This framework has an indicator with this code already."]
    assert errors["where"] == ["Line 1: write “field operator value”, for example “round = 3”."]
    refused = client.post(url, _indicator_data(where="colour = blue", targets="next year: 5"))
    errors = refused.context["form"].errors
    assert "“colour” is not a field of this subject" in errors["where"][0]
    assert "dimension" not in errors
    empty = client.post(url, {"aggregation": "count", "subject": "persons"}).context["form"].errors
    assert set(empty) >= {"code", "name", "dimension", "level"}
    assert errors["targets"] == ["Line 1: start with a year or a quarter (2026, 2026-Q1)."]
    assert not draft.indicators.filter(code="RSS-9").exists()

    client.post(url, _indicator_data())
    added = draft.indicators.get(code="RSS-9")
    assert added.computation == {
        "aggregation": "share",
        "subject": "responses",
        "field": None,
        "where": [["round", "=", 2]],
        "numerator": [["band", "in", ["progressing", "sustainable"]]],
    }
    assert added.targets == {"2026": "0.6", "2027": "0.7"} and added.disaggregations == ["sex", "origin"]

    # The edit form saved untouched changes nothing.
    form = client.get(reverse("indicator_edit", args=[draft.uuid, added.pk])).context["form"]
    data = {field.name: field.value() if field.value() is not None else "" for field in form}
    data["core"] = "on" if data["core"] else ""
    entries = AuditEntry.objects.count()
    saved = client.post(reverse("indicator_edit", args=[draft.uuid, added.pk]), data, follow=True)
    assert "Nothing was changed." in saved.content.decode()
    assert AuditEntry.objects.count() == entries

    client.post(reverse("framework_step", args=[draft.uuid, "activate"]), {"version": draft.version})
    draft.refresh_from_db()
    core.refresh_from_db()
    assert (draft.status, core.status) == (FrameworkStatus.ACTIVE, FrameworkStatus.RETIRED)
    assert AuditEntry.objects.filter(action="indicators.framework_activate").count() == 1
    # The active version is no longer edited: the form sends the user back, saying why.
    back = client.get(reverse("indicator_edit", args=[draft.uuid, added.pk]), follow=True)
    assert "Only a draft is changed" in back.content.decode()
    # A new version starts from the latest: from the retired one it would drop RSS-9 silently.
    refused = client.post(reverse("framework_step", args=[core.uuid, "new-version"]), follow=True)
    assert "Start the new version from the latest one (version 2)." in refused.content.decode()
    assert not Framework.objects.filter(status=FrameworkStatus.DRAFT).exists()


def test_results_are_shown_and_downloaded(world: Any) -> None:
    returned_case(world)
    client = _client(world.carol)
    url = reverse("framework_results", args=[_core().uuid])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "RET-1" in body and "Persons assisted to return" in body
    # The form says which years the figures cover, also when a year was left blank.
    year = dt.date.today().year
    assert page.context["form"]["first"].value() == str(year - 2)
    blank = client.get(url + f"?first=&last={year}&granularity=quarter")
    assert blank.context["form"]["first"].value() == str(year - 2)
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Indicator code", "Indicator", "Period"]
    this_year = [r for r in rows[1:] if r[0] == "RET-1" and r[3] == ""][-1]
    assert this_year[4] == "1" and this_year[5] == "1"  # the one returnee of the world, this year (whole)
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    assert book.sheetnames == ["Results", "Definitions"]
    # A share says what it is, and the workbook shows it as the page does (it read 0.7619…).
    assert rows[0][-1] == "Unit"
    share = [r for r in rows[1:] if r[0] == "RET-2" and r[3] == ""][-1]
    assert share[-1] == "share (1 = 100 %)" and float(share[4]) == round(float(share[4]), 4)
    cells = [r for r in book["Results"].iter_rows(min_row=2) if r[0].value == "RET-2" and not r[3].value]
    assert cells and cells[-1][4].number_format == "0.0%"
    # The charts run as their tables do: right to left in Arabic, time from the right.
    charts = [t.chart for t in page.context["tables"] if getattr(t, "chart", None)]
    assert charts and not any(c["encoding"]["x"]["scale"].get("reverse") for c in _specs(charts))
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    specs = _specs([t.chart for t in arabic.context["tables"] if getattr(t, "chart", None)])
    assert specs and all(c["encoding"]["x"]["scale"]["reverse"] for c in specs)
    assert all(c["encoding"]["y"]["axis"]["orient"] == "right" for c in specs)


def _specs(charts: list[Any]) -> list[Any]:
    """The encoded layer of each chart (its bars)."""
    return [chart["layer"][0] if "layer" in chart else chart for chart in charts]


def test_who_reads_and_who_changes(world: Any) -> None:
    core = _core()
    assert _client(world.alice).get(reverse("framework_list")).status_code == 403  # no statistics
    viewer = _client(world.victor)
    assert viewer.get(reverse("framework_detail", args=[core.uuid])).status_code == 200
    assert viewer.post(reverse("framework_step", args=[core.uuid, "new-version"])).status_code == 403
    assert viewer.get(reverse("framework_create")).status_code == 403
    assert Framework.objects.count() == 1
    # A draft is work in progress: not shown to those who do not keep frameworks.
    draft = actions.new_version(world.carol, core)
    assert viewer.get(reverse("framework_detail", args=[draft.uuid])).status_code == 404
    assert viewer.get(reverse("framework_results", args=[draft.uuid])).status_code == 404
    assert str(draft.uuid) not in viewer.get(reverse("framework_list")).content.decode()
    assert str(draft.uuid) in _client(world.carol).get(reverse("framework_list")).content.decode()
    assert _client(world.carol).get(reverse("framework_detail", args=[draft.uuid])).status_code == 200


def test_the_form_offers_only_the_programmes_its_editor_may_read(world: Any) -> None:
    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    dutch = programmes.create_programme(
        system_actor(), code="NL-ONLY", name="Dutch only (synthetic)", host_countries=["NL"],
        origin_countries=["GN"], starts_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    programmes.add_partner(system_actor(), dutch, world.nl_office, "host_coordinator", ["NL"])
    client = _client(world.carol)
    client.post(reverse("framework_step", args=[_core().uuid, "new-version"]))
    draft = Framework.objects.get(code="avrr-core", status=FrameworkStatus.DRAFT)
    page = client.get(reverse("indicator_create", args=[draft.uuid])).content.decode()
    assert "BE-REAB" in page and "NL-ONLY" not in page


def test_the_computation_is_written_in_the_readers_words_not_the_forms_codes(world: Any) -> None:
    """The Computation column read "meeting band = sustainable" and "where status in done,
    lost": the catalogue's codes, in English whatever the page's language."""
    client = _client(world.carol)
    client.post(reverse("framework_step", args=[_core().uuid, "new-version"]))
    draft = Framework.objects.get(code="avrr-core", status=FrameworkStatus.DRAFT)
    client.post(reverse("indicator_create", args=[draft.uuid]), _indicator_data())  # with targets
    url = reverse("framework_detail", args=[draft.uuid])
    english = client.get(url).text
    assert "meeting score band: Sustainable" in english and "band = sustainable" not in english
    assert "where round status: one of Done, Lost to follow-up" in english
    assert "where follow-up round = 3" in english
    assert "meeting received reintegration assistance: Yes" in english
    french = _client(world.carol, "fr").get(url).text
    assert "tranche de score\u00a0: Durable" in french and "band = sustainable" not in french
    assert "statut de la série\u00a0: parmi Effectué, Perdu de vue" in french
    # Targets too: "2027 : 70 %" in French, "2027: 70%" in English.
    assert re.search(r"<bdi>\d{4}: [\d.]+\s?%</bdi>", english)
    assert re.search(r"<bdi>\d{4}\u00a0: [\d,]+\s?%</bdi>", french)


def test_a_score_indicator_reads_and_writes_points_as_every_score_page_does(world: Any) -> None:
    """A mean composite score showed 0.62 where the case page and the outcomes report show
    62.0; its baseline, targets and conditions on scores were typed as fractions."""
    client = _client(world.carol)
    client.post(reverse("framework_step", args=[_core().uuid, "new-version"]))
    draft = Framework.objects.get(code="avrr-core", status=FrameworkStatus.DRAFT)
    data = _indicator_data(
        code="RSS-10",
        aggregation="mean",
        field="composite",
        where="round = 3\ncomposite >= 40",
        numerator="",
        baseline="55",
        targets="2026: 60\n2027: 62,5",
    )
    assert client.post(reverse("indicator_create", args=[draft.uuid]), data).status_code == 302
    indicator = draft.indicators.get(code="RSS-10")
    assert indicator.computation["where"] == [["round", "=", 3], ["composite", ">=", 0.4]]
    assert indicator.baseline == Decimal("0.55") and indicator.targets == {"2026": "0.6", "2027": "0.625"}
    page = client.get(reverse("framework_detail", args=[draft.uuid])).text
    assert "composite score ≥ 40" in page and "<td>55.0</td>" in page and "<bdi>2027: 62.5</bdi>" in page
    edit = client.get(reverse("indicator_edit", args=[draft.uuid, indicator.pk]))
    initial = edit.context["form"].initial
    assert (initial["baseline"], initial["where"]) == ("55", "round = 3\ncomposite >= 40")
    assert initial["targets"] == "2026: 60\n2027: 62.5"
    out_of_range = client.post(
        reverse("indicator_create", args=[draft.uuid]), {**data, "code": "RSS-11", "baseline": "0.6"}
    )
    assert out_of_range.status_code == 302  # 0.6 points is a (low) score, not refused
    refused = client.post(
        reverse("indicator_create", args=[draft.uuid]), {**data, "code": "RSS-12", "baseline": "150"}
    )
    assert refused.context["form"].errors["baseline"] == ["Write a score from 0 to 100, as scores are shown."]


def test_a_name_typed_as_a_formula_downloads_as_text(world: Any) -> None:
    """Another organisation's officer named an indicator `=HYPERLINK(…)`: the donor's CSV
    carried it as is and the workbook as a live formula cell."""
    returned_case(world)
    formula = '=HYPERLINK("http://evil.example/","Open")'
    _core().indicators.filter(code="RET-1").update(name=formula, names={})
    client = _client(world.carol, "fr")
    url = reverse("framework_results", args=[_core().uuid])
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:] if r[0] == "RET-1"} == {"'" + formula}
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    for sheet in book.worksheets:
        named = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "RET-1"]
        assert named and all(c.data_type == "s" and c.value == formula for c in named)
    # The moment the figures were taken, as the reader's language writes it (not ISO 8601).
    moment = [
        row[1].value for row in book.worksheets[1].iter_rows() if row[0].value == "Chiffres à la date du"
    ]
    assert moment and re.fullmatch(r"\d{1,2} \w+\.? \d{4}, \d{2}:\d{2} UTC", moment[0])


def test_a_framework_name_with_a_direction_override_is_refused_on_its_field(world: Any) -> None:
    """ "Page \u202eabc" was saved and shown as "Page cba"."""
    from remis.cases.tests.factories import make_user

    officer = make_user("mo", world.be_office, "me_officer", ["BE"])
    client = _client(officer)
    refused = client.post(
        reverse("framework_create"), {"code": "fw-x", "name": "Page \u202eabc", "description": ""}
    )
    assert refused.status_code in (200, 400)
    assert refused.context["form"].errors["name"] == [
        "Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069)."
    ]
    assert not Framework.objects.filter(code="fw-x").exists()


def test_the_shipped_framework_reads_in_french_and_arabic_and_translations_are_edited(world: Any) -> None:
    """Every indicator was in English on French and Arabic pages and files, and the form had
    one name field: nobody could add the translations."""
    returned_case(world)
    core = _core()
    url = reverse("framework_results", args=[core.uuid])
    french = _client(world.carol, "fr").get(url).content.decode()
    assert "Personnes aidées à rentrer" in french and "Persons assisted to return" not in french
    arabic = _client(world.carol, "ar").get(reverse("framework_detail", args=[core.uuid])).content.decode()
    assert "الأشخاص الذين تلقّوا المساعدة على العودة" in arabic
    rows = list(
        csv.reader(
            io.StringIO(_client(world.carol, "fr").get(url + "?format=csv").content.decode("utf-8-sig"))
        )
    )
    assert {r[1] for r in rows[1:] if r[0] == "RET-1"} == {"Personnes aidées à rentrer"}
    # A draft's indicator gets its translations through the form; a bad one is named on its field.
    client = _client(world.carol)
    client.post(reverse("framework_step", args=[core.uuid, "new-version"]))
    draft = Framework.objects.get(code="avrr-core", status=FrameworkStatus.DRAFT)
    assert draft.indicators.get(code="RET-1").names["fr"] == "Personnes aidées à rentrer"  # copied
    add = reverse("indicator_create", args=[draft.uuid])
    refused = client.post(add, _indicator_data(name_fr="Rentrés \u202eabc"))
    assert "Remove the invisible text-direction characters" in str(refused.context["form"].errors["name_fr"])
    assert (
        client.post(add, _indicator_data(name_fr="Rentrés progressant à 6 mois", name_ar="")).status_code
        == 302
    )
    added = draft.indicators.get(code="RSS-9")
    assert added.names == {"fr": "Rentrés progressant à 6 mois"}
    page = _client(world.carol, "fr").get(reverse("framework_detail", args=[draft.uuid])).content.decode()
    assert "Rentrés progressant à 6 mois" in page
