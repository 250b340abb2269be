"""An instrument as an XLSForm workbook (survey, choices, settings) for KoBoToolbox, ODK
Central and their Collect apps, and the checks that keep an export from failing there.

What the form carries besides the instrument's questions, before them:

* one required identifier, typed by the enumerator: `case_reference` (the REMIS case
  reference) on a form for assisted returnees, or `sample_id` on a form for a comparison
  sample (non-assisted returnees, local population), chosen with `respondent=`. One
  identifier per form, always required, so a submission can never lack the key it is matched
  by; a field team surveying both populations loads both forms.
* `instrument_code` and `instrument_version`, calculated constants, so that each submission says
  which version of the instrument it answers even when the server's own form version differs.
* `start` and `end` timestamps, as KoBo's default forms have.
* on the satisfaction survey, which rates one item of a case's plan, `assistance_type`: the
  kind of assistance asked about, chosen from the assistance types given (`items=`). The
  import matches it to the case's item of that type; an item id is nothing an enumerator
  could read out or type.

Questions are exported flat (no XLSForm groups): their column names in submission exports
are then their plain names. Number ranges become `constraint` (`. >= 0 and . <= 7`).
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal

from openpyxl import Workbook

from remis.monitoring.instruments.definition import (
    CHOICE_NAME,
    LANGUAGES,
    NAME,
    NUMBER_TYPES,
    InstrumentDefinition,
    Label,
    Problem,
    Question,
    QuestionType,
)
from remis.monitoring.instruments.relevance import RelevanceSyntaxError, parse
from remis.monitoring.instruments.scoring import NONE_CHOICE

Respondent = Literal["case", "sample"]

LANGUAGE_COLUMNS = {"en": "English (en)", "fr": "French (fr)", "ar": "Arabic (ar)"}
IDENTIFIERS: dict[Respondent, tuple[str, Label]] = {
    "case": ("case_reference", Label("Case reference", "Référence du dossier", "مرجع الملف")),
    "sample": ("sample_id", Label("Sample ID", "Identifiant d'échantillon", "معرّف العيّنة")),
}
ITEM_FIELD = "assistance_type"
ITEM_LIST = "assistance_types"
ITEM_LABEL = Label("Assistance asked about", "Aide sur laquelle porte l'entretien", "المساعدة موضوع المقابلة")
# Names the export adds, names KoBo and ODK Central write into submission exports
# (`_uuid`, `KEY`, `meta/instanceID`…), and XForm's own: a question may not take them.
RESERVED_NAMES = frozenset(
    {
        "case_reference",
        "sample_id",
        "assistance_type",
        "instrument_code",
        "instrument_version",
        "start",
        "end",
        "meta",
        "instanceID",
        "instanceName",
        "deprecatedID",
        "rootUuid",
        "KEY",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "formhub",
        "version",
    }
)
# ODK Central and KoBo put their own columns under a leading underscore (_id, _uuid, _index…);
# names this long are unreadable in exports and some spreadsheet tools truncate them.
MAX_NAME_LENGTH = 64


def xlsform_problems(definition: InstrumentDefinition) -> list[Problem]:
    """What would make the export fail in pyxform, KoBo or ODK, or clash with the columns
    they add; empty when the instrument can be exported. Paths as in the definition data."""
    problems: list[Problem] = []
    if not NAME.fullmatch(definition.code.replace("-", "_")):
        problems.append(Problem("code", "must be letters, digits, - and _ to serve as form_id"))
    for index, question in enumerate(definition.questions):
        problems.extend(_name_problems(f"questions[{index}].name", question.name))
        if question.relevant:
            try:
                parse(question.relevant)
            except RelevanceSyntaxError as error:
                problems.append(Problem(f"questions[{index}].relevant", f"does not parse: {error}"))
        problems.extend(_label_problems(f"questions[{index}].label", question.label))
    for list_index, choice_list in enumerate(definition.choice_lists):
        path = f"choice_lists[{list_index}]"
        if not NAME.fullmatch(choice_list.name):
            problems.append(Problem(f"{path}.name", "is not a valid XML name"))
        elif choice_list.name == ITEM_LIST:
            problems.append(
                Problem(f"{path}.name", "is the list the export adds for the assistance asked about")
            )
        seen: set[str] = set()
        for index, choice in enumerate(choice_list.choices):
            if not CHOICE_NAME.fullmatch(choice.name):
                problems.append(
                    Problem(f"{path}.choices[{index}].name", "holds a space or a character XLSForm refuses")
                )
            if choice.name in seen:
                problems.append(Problem(f"{path}.choices[{index}].name", "duplicate choice name"))
            seen.add(choice.name)
            problems.extend(_label_problems(f"{path}.choices[{index}].label", choice.label))
    return problems


def _name_problems(path: str, name: str) -> list[Problem]:
    if not NAME.fullmatch(name):
        return [Problem(path, "is not a valid XML name (letters, digits, _; not starting with a digit)")]
    if name.startswith("_"):
        return [Problem(path, "starts with _, which KoBo and ODK keep for their own columns")]
    if name.lower().startswith("xml"):
        return [Problem(path, "starts with xml, which XML reserves")]
    if name in RESERVED_NAMES:
        return [Problem(path, f"{name!r} is reserved for the export or the collection tools")]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(path, f"is longer than {MAX_NAME_LENGTH} characters")]
    return []


def _label_problems(path: str, label: Label) -> list[Problem]:
    return [
        Problem(f"{path}.{language}", "is empty: the form would show a blank in that language")
        for language in LANGUAGES
        if not label.get(language).strip()
    ]


class NotExportable(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = tuple(problems)


def export_xlsform(
    definition: InstrumentDefinition,
    respondent: Respondent = "case",
    items: list[tuple[str, Label]] | None = None,
) -> bytes:
    """The XLSForm workbook as .xlsx bytes; NotExportable with every problem first. `items`:
    (code, label) of the assistance types a satisfaction answer may be about, asked first."""
    problems = xlsform_problems(definition)
    if problems:
        raise NotExportable(problems)
    label_headers = [f"label::{LANGUAGE_COLUMNS[language]}" for language in LANGUAGES]
    message_headers = [f"constraint_message::{LANGUAGE_COLUMNS[language]}" for language in LANGUAGES]
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    header = [
        "type",
        "name",
        *label_headers,
        "required",
        "relevant",
        "constraint",
        *message_headers,
        "calculation",
    ]
    survey.append(header)

    def row(**cells: Any) -> list[str]:
        """A survey row by column name (labels and messages given as lists, one a language)."""
        by_name = dict(zip(label_headers, cells.pop("labels", [""] * len(LANGUAGES)), strict=True))
        by_name.update(zip(message_headers, cells.pop("messages", [""] * len(LANGUAGES)), strict=True))
        by_name.update(cells)
        return [by_name.get(name, "") for name in header]

    survey.append(row(type="start", name="start"))
    survey.append(row(type="end", name="end"))
    identifier, identifier_label = IDENTIFIERS[respondent]
    survey.append(row(type="text", name=identifier, labels=_labels(identifier_label), required="yes"))
    if items:
        survey.append(
            row(type=f"select_one {ITEM_LIST}", name=ITEM_FIELD, labels=_labels(ITEM_LABEL), required="yes")
        )
    survey.append(row(type="calculate", name="instrument_code", calculation=f"'{definition.code}'"))
    survey.append(row(type="calculate", name="instrument_version", calculation=f"'{definition.version}'"))
    for question in definition.questions:
        constraint = _constraint(question, definition)
        survey.append(
            row(
                type=_type(question),
                name=question.name,
                labels=_labels(question.label),
                required="yes" if question.required else "",
                relevant=question.relevant,
                constraint=constraint,
                # Said in the field app when the answer is refused (KoBo Collect said
                # "Sorry, this response is invalid!"), in each language of the form.
                messages=_constraint_messages(question) if constraint else [""] * len(LANGUAGES),
            )
        )
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", *label_headers])
    for choice_list in definition.choice_lists:
        for choice in choice_list.choices:
            choices.append([choice_list.name, choice.name, *_labels(choice.label)])
    for code, label in items or []:
        choices.append([ITEM_LIST, code, *_labels(label)])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    form_id = definition.code if respondent == "case" else f"{definition.code}-sample"
    settings.append([definition.title.en, form_id, str(definition.version), LANGUAGE_COLUMNS["en"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _labels(label: Label) -> list[str]:
    return [label.get(language) for language in LANGUAGES]


def _type(question: Question) -> str:
    if question.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
        return f"{question.type} {question.choice_list}"
    return str(question.type)


def _constraint(question: Question, definition: InstrumentDefinition) -> str:
    if question.type == QuestionType.SELECT_MULTIPLE:
        lists = {c.name: c.names() for c in definition.choice_lists}
        if NONE_CHOICE in lists.get(question.choice_list or "", ()):
            # As REMIS checks it: "none" excludes the other choices.
            return f"not(selected(., '{NONE_CHOICE}') and count-selected(.) > 1)"
        return ""
    if question.type not in NUMBER_TYPES:
        return ""
    parts = []
    if question.minimum is not None:
        parts.append(f". >= {_plain(format(question.minimum, 'f'))}")
    if question.maximum is not None:
        parts.append(f". <= {_plain(format(question.maximum, 'f'))}")
    return " and ".join(parts)


def _constraint_messages(question: Question) -> list[str]:
    """Why an answer is refused, in each language of the form."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    messages = []
    for language in LANGUAGES:
        with translation.override(language):
            if question.type == QuestionType.SELECT_MULTIPLE:
                messages.append(_("“None” cannot be chosen with other answers."))
            elif question.minimum is not None and question.maximum is not None:
                messages.append(
                    _("Enter a number from %(low)s to %(high)s.")
                    % {
                        "low": _plain(format(question.minimum, "f")),
                        "high": _plain(format(question.maximum, "f")),
                    }
                )
            elif question.minimum is not None:
                messages.append(
                    _("Enter a number of at least %(low)s.") % {"low": _plain(format(question.minimum, "f"))}
                )
            else:
                messages.append(
                    _("Enter a number of at most %(high)s.") % {"high": _plain(format(question.maximum, "f"))}
                )
    return messages


def _plain(number: str) -> str:
    return re.sub(r"\.0+$", "", number)
