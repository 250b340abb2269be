from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from remis.monitoring.instruments.definition import InstrumentDefinition, Label, load_definition
from remis.monitoring.instruments.xlsform import NotExportable, export_xlsform, xlsform_problems

DEFAULTS = Path(__file__).resolve().parents[1] / "defaults"


def default(name: str) -> InstrumentDefinition:
    return load_definition(yaml.safe_load((DEFAULTS / f"{name}.yaml").read_text(encoding="utf-8")))


def rows(workbook_bytes: bytes, sheet: str) -> list[dict[str, object]]:
    worksheet = load_workbook(io.BytesIO(workbook_bytes))[sheet]
    values = list(worksheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("name", ["reintegration_sustainability", "satisfaction"])
@pytest.mark.parametrize("respondent", ["case", "sample"])
def test_default_instruments_export_to_an_xlsform_that_pyxform_converts_without_warnings(name, respondent):
    workbook = export_xlsform(default(name), respondent)
    warnings: list[str] = []
    xform = convert(io.BytesIO(workbook), warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    assert 'lang="Arabic (ar)"' in xform
    identifier = "case_reference" if respondent == "case" else "sample_id"
    assert binds(xform)[f"/data/{identifier}"]["required"] == "true()"


def binds(xform: str) -> dict[str, dict[str, str]]:
    """The XForm's bind elements by node path: where required, relevant and constraint land."""
    root = ElementTree.fromstring(xform)  # noqa: S314 - our own export, converted in the test
    return {bind.attrib["nodeset"]: bind.attrib for bind in root.iter("{http://www.w3.org/2002/xforms}bind")}


def test_relevance_and_number_ranges_reach_the_xform():
    xform = convert(
        io.BytesIO(export_xlsform(default("reintegration_sustainability"))), file_type=".xlsx"
    ).xform
    found = binds(xform)
    assert found["/data/children_in_school"]["relevant"].split() == ["/data/school_age_children", ">", "0"]
    assert (
        found["/data/credit_source"]["relevant"].replace(" ", "")
        == "selected(/data/access_to_resources,'credit')"
    )
    assert found["/data/days_reduced_meals"]["constraint"] == ". >= 0 and . <= 7"
    assert found["/data/days_reduced_meals"]["type"] == "int"
    assert found["/data/instrument_version"]["calculate"] == "'1'"
    # "None of these" excludes the other choices, in KoBo and ODK Collect as in REMIS.
    assert found["/data/access_to_resources"]["constraint"].replace(" ", "") == (
        "not(selected(.,'none')andcount-selected(.)>1)"
    )
    # Each refusal says why in the form's languages (KoBo Collect said "this response is invalid").
    survey = {
        row["name"]: row for row in rows(export_xlsform(default("reintegration_sustainability")), "survey")
    }
    assert survey["days_reduced_meals"]["constraint_message::French (fr)"] == "Saisissez un nombre de 0 à 7."
    assert survey["days_reduced_meals"]["constraint_message::English (en)"] == "Enter a number from 0 to 7."


def test_survey_sheet_starts_with_the_identifier_and_carries_code_version_and_three_languages():
    definition = default("satisfaction")
    survey = rows(export_xlsform(definition), "survey")
    assert [row["name"] for row in survey[:5]] == [
        "start",
        "end",
        "case_reference",
        "instrument_code",
        "instrument_version",
    ]
    assert survey[2]["required"] == "yes"
    assert survey[3]["calculation"] == "'assistance-satisfaction'"
    assert survey[4]["calculation"] == "'1'"
    on_time = next(row for row in survey if row["name"] == "on_time")
    assert on_time["type"] == "select_one agreement"
    assert on_time["label::French (fr)"] == "L'aide est arrivée au moment où j'en avais besoin."
    settings = rows(export_xlsform(definition), "settings")[0]
    assert settings["form_id"] == "assistance-satisfaction"
    assert settings["version"] == "1"
    assert settings["default_language"] == "English (en)"
    choices = rows(export_xlsform(definition), "choices")
    assert {row["list_name"] for row in choices} == {"agreement"}
    assert len(choices) == 6


def test_default_instruments_have_no_xlsform_problems():
    assert xlsform_problems(default("reintegration_sustainability")) == []
    assert xlsform_problems(default("satisfaction")) == []


def renamed(definition: InstrumentDefinition, index: int, name: str) -> InstrumentDefinition:
    questions = list(definition.questions)
    questions[index] = dataclasses.replace(questions[index], name=name)
    return dataclasses.replace(definition, questions=tuple(questions))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("case_reference", "reserved"),
        ("KEY", "reserved"),
        ("_uuid", "starts with _"),
        ("xml_thing", "starts with xml"),
        ("has space", "not a valid XML name"),
        ("é", "not a valid XML name"),
        ("q" * 65, "longer than 64"),
    ],
)
def test_incompatible_names_are_caught_before_export(name: str, message: str):
    definition = renamed(default("satisfaction"), 0, name)
    problems = xlsform_problems(definition)
    assert [problem.path for problem in problems] == ["questions[0].name"]
    assert message in problems[0].message
    with pytest.raises(NotExportable):
        export_xlsform(definition)


def test_empty_labels_and_duplicate_choices_are_caught_before_export():
    definition = default("satisfaction")
    agreement = definition.choice_lists[0]
    choices = (*agreement.choices, dataclasses.replace(agreement.choices[0], label=Label("x", "", "x")))
    definition = dataclasses.replace(
        definition, choice_lists=(dataclasses.replace(agreement, choices=choices),)
    )
    assert {(p.path, p.message) for p in xlsform_problems(definition)} == {
        ("choice_lists[0].choices[6].name", "duplicate choice name"),
        ("choice_lists[0].choices[6].label.fr", "is empty: the form would show a blank in that language"),
    }


def test_the_satisfaction_form_asks_which_assistance_it_is_about():
    """Without it a satisfaction submission could not be matched to an item of the plan."""
    items = [("business_setup", Label("Business set-up", "Création d'entreprise", "إنشاء مشروع"))]
    workbook = export_xlsform(default("satisfaction"), "case", items)
    warnings: list[str] = []
    xform = convert(io.BytesIO(workbook), warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    assert binds(xform)["/data/assistance_type"]["required"] == "true()"
    assert "Création d'entreprise" in xform and "business_setup" in xform
    without = export_xlsform(default("reintegration_sustainability"), "case")
    assert b"assistance_type" not in convert(io.BytesIO(without), file_type=".xlsx").xform.encode()


def test_a_choice_list_may_not_take_the_name_of_the_assistance_list():
    definition = default("satisfaction")
    lists = (dataclasses.replace(definition.choice_lists[0], name="assistance_types"),)
    problems = xlsform_problems(dataclasses.replace(definition, choice_lists=lists))
    assert [p.path for p in problems] == ["choice_lists[0].name"]
