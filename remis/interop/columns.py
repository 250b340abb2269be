"""Map the header of a submission export to the questions of an instrument: which column
holds which question (with or without its group path), which columns are the choices of a
select-multiple question split out, which carry the submission's identifier, time and
form version, and which are something else.

The shapes, as read in the tools' code (see `remis/interop/submissions.py` for sources):

- KoBoToolbox (formpack): a question's header is its name, or with "include groups in
  headers" its group path joined by the chosen separator (`/` by default, often `-`):
  `household/income`, `household-income`. A select-multiple question gives, by default
  ("both"), a column with the space-separated choices and one column per choice named
  `<question header><separator><choice>`: `needs/food`, `household-needs-food`; the
  `or_other` choice is always `<question header>/other`.
- ODK Central: group paths joined by `-` (`household-income`), or bare names when
  "remove group names" is chosen; a select-multiple question keeps its space-separated
  column and, with "split select multiple choices into columns", adds
  `<question header>/<choice>` columns.

A header is first taken as a question name as it stands; otherwise as a question name
after a group path (`<group>/<name>` or `<group>-<name>`), or a select-multiple question's
choice column. Question names may themselves hold `-`, so `a-b-c` is ambiguous when the
instrument has both `c` and `b-c`: that is refused (`AMBIGUOUS_COLUMN`), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.lib.said import said

GROUP_SEPARATORS = ("/", "-")


@dataclass(frozen=True)
class QuestionSpec:
    """What the reader needs to know of a question: its name in the form (the XLSForm
    `name`), whether it is a select-multiple, and its choice names (so that choice columns
    are told apart from group paths)."""

    name: str
    multiple: bool = False
    choices: tuple[str, ...] = ()


class MetaRole(StrEnum):
    ID = "id"
    TIME = "time"
    VERSION = "version"
    IGNORED = "ignored"


# Submission identifiers, the most stable first: KoBo's `meta/rootUuid` stays the same
# when a submission is edited (its `_uuid` and `meta/instanceID` change); ODK Central's
# `KEY` is the instance ID of the submission's first version; KoBo's `_id` is a
# per-server row number, used only when nothing else is there.
ID_COLUMNS = (
    "meta/rootUuid",
    "meta-rootUuid",
    "rootUuid",
    "KEY",
    "_uuid",
    "meta/instanceID",
    "meta-instanceID",
    "instanceID",
    "_id",
)
TIME_COLUMNS = ("_submission_time", "SubmissionDate")
VERSION_COLUMNS = ("__version__", "_version_", "FormVersion")
# What the tools add besides the form's own questions, recognised so that the import
# report lists only truly unknown columns.
KOBO_METADATA = frozenset(
    {
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "_tags",
        "_index",
        "_parent_table_name",
        "_parent_index",
        "_attachments",
        "_geolocation",
        "_xform_id_string",
        "_media_all_received",
        "_total_media",
        "_media_count",
    }
)
ODK_CENTRAL_METADATA = frozenset(
    {
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "isValidated",
        "instanceName",
        "deprecatedID",
    }
)
METADATA_GROUPS = ("meta", "formhub")


@dataclass
class ColumnPlan:
    """Where each thing is in a row, by column index."""

    plain: list[tuple[int, str]] = field(default_factory=list)  # (column, question)
    summary: dict[str, int] = field(default_factory=dict)  # select-multiple question -> column
    split: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # question -> (column, choice)
    ids: list[tuple[int, str]] = field(default_factory=list)  # (column, header), most stable first
    time: tuple[int, str] | None = None
    version: tuple[int, str] | None = None
    metadata: list[str] = field(default_factory=list)  # recognised tool columns, not read
    extra: list[str] = field(default_factory=list)  # unknown columns, not read
    missing: list[str] = field(default_factory=list)  # questions with no column
    group_separator: str | None = None  # "/" or "-" when a group path was seen


def plan_columns(header: list[str], questions: Iterable[QuestionSpec]) -> ColumnPlan:
    specs = {spec.name: spec for spec in questions}
    plan = ColumnPlan()
    used: dict[tuple[str, str | None], str] = {}
    ids: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip()
        if not name:
            plan.extra.append(_("(column %(number)s, no name)") % {"number": index + 1})
            continue
        if name in specs:
            _claim(plan, used, specs[name], None, index, name)
            continue
        role = _meta_role(name)
        if role is MetaRole.ID:
            ids[name] = index
        elif role is MetaRole.TIME and plan.time is None:
            plan.time = (index, name)
        elif role is MetaRole.VERSION and plan.version is None:
            plan.version = (index, name)
        elif role is not None:
            plan.metadata.append(name)
        else:
            candidates = _candidates(name, specs)
            if not candidates:
                plan.extra.append(name)
            elif len(candidates) > 1:
                raise UnreadableFile(
                    said(
                        "The column %(column)s could be any of these questions: %(questions)s.",
                        {"column": name, "questions": ", ".join(_describe(c) for c in candidates)},
                    ),
                    code=ReadErrorCode.AMBIGUOUS_COLUMN,
                    row=1,
                    column=name,
                )
            else:
                (question, choice, separator) = candidates[0]
                plan.group_separator = plan.group_separator or separator
                _claim(plan, used, specs[question], choice, index, name)
    plan.ids = [(ids[name], name) for name in ID_COLUMNS if name in ids]
    answered = {question for question, _choice in used}
    plan.missing = [name for name in specs if name not in answered]
    if not answered:
        raise UnreadableFile(
            said(
                "No column matches a question of this instrument. Export the data with "
                "question names as headers (KoBoToolbox: “XML values and headers”), from "
                "the form made from this instrument."
            ),
            code=ReadErrorCode.NO_QUESTION,
            row=1,
        )
    if not plan.ids:
        raise UnreadableFile(
            said(
                "The file has no submission identifier column (%(columns)s), so a second "
                "import of it could not be recognised. Export it again with its metadata.",
                {"columns": ", ".join(("_uuid", "meta/instanceID", "meta/rootUuid", "KEY"))},
            ),
            code=ReadErrorCode.NO_SUBMISSION_ID,
            row=1,
        )
    return plan


def _meta_role(name: str) -> MetaRole | None:
    if name in ID_COLUMNS:
        return MetaRole.ID
    if name in TIME_COLUMNS:
        return MetaRole.TIME
    if name in VERSION_COLUMNS:
        return MetaRole.VERSION
    if name in KOBO_METADATA or name in ODK_CENTRAL_METADATA:
        return MetaRole.IGNORED
    for group in METADATA_GROUPS:
        for separator in GROUP_SEPARATORS:
            if name.startswith(group + separator):
                return MetaRole.IGNORED
    return None


def _candidates(name: str, specs: dict[str, QuestionSpec]) -> list[tuple[str, str | None, str | None]]:
    """Every reading of a header as (question, choice or None, group separator or None)."""
    found: list[tuple[str, str | None, str | None]] = []
    for spec in specs.values():
        for separator in GROUP_SEPARATORS:
            if name.endswith(separator + spec.name) and len(name) > len(spec.name) + 1:
                found.append((spec.name, None, separator))
        if spec.multiple:
            found.extend(_choice_readings(name, spec))
    # One reading per (question, choice): `g/x-q/a` must not count twice.
    return list({(question, choice): (question, choice, sep) for question, choice, sep in found}.values())


def _choice_readings(name: str, spec: QuestionSpec) -> list[tuple[str, str | None, str | None]]:
    """`<question>/<choice>` or, KoBo with the `-` separator, `<question>-<choice>`, each
    possibly after a group path. After `/` any choice is taken (an unknown one is then an
    answer outside the choices, reported by the import); after `-` only a known choice, as
    `-` also joins group paths."""
    found: list[tuple[str, str | None, str | None]] = []
    for joiner in GROUP_SEPARATORS:
        marker = spec.name + joiner
        start = name.find(marker)
        while start >= 0:
            before = name[:start]
            choice = name[start + len(marker) :]
            prefix_ok = not before or before[-1] in GROUP_SEPARATORS
            known = choice in spec.choices
            if prefix_ok and choice and "/" not in choice and (known or joiner == "/"):
                separator = before[-1] if before else None
                found.append((spec.name, choice, separator))
            start = name.find(marker, start + 1)
    return found


def _claim(
    plan: ColumnPlan,
    used: dict[tuple[str, str | None], str],
    spec: QuestionSpec,
    choice: str | None,
    index: int,
    header: str,
) -> None:
    key = (spec.name, choice)
    if key in used:
        raise UnreadableFile(
            said(
                "The columns %(first)s and %(second)s both hold %(what)s.",
                {"first": used[key], "second": header, "what": _describe((spec.name, choice, None))},
            ),
            code=ReadErrorCode.DUPLICATE_COLUMN,
            row=1,
            column=header,
        )
    used[key] = header
    if choice is not None:
        plan.split.setdefault(spec.name, []).append((index, choice))
    elif spec.multiple:
        plan.summary[spec.name] = index
    else:
        plan.plain.append((index, spec.name))


def _describe(candidate: tuple[str, str | None, str | None]) -> str:
    question, choice, _separator = candidate
    if choice is None:
        return question
    return _("%(question)s (choice %(choice)s)") % {"question": question, "choice": choice}
