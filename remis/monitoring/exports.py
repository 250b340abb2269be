"""Monitoring data as a file in long format (`remis/interop/exporting.py` writes it;
registered in `MonitoringConfig.ready`): one row a response × question, with the
instrument's code and version, the round and visit it belongs to, the answer as stored (codes,
space-separated for several choices) and as read (the choices' labels), the indicator value
it gave and the response's composite score and band.

Only responses about cases the requester may export are read (comparison-sample responses
have no case: the outcome analyses compare them in aggregate, no export hands them out).
Visit notes are free text about a person's situation and stay out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.assistance.models import AssistanceItem
from remis.cases.policy import access_through, groups_everywhere, shows
from remis.interop.exporting import CHUNK, ExportColumn, ExportKind, Prepared
from remis.lib.countries import named_countries
from remis.lib.forms import DayRangeForm
from remis.lib.widgets import IsoDateInput
from remis.monitoring.configuration import instrument_titles
from remis.monitoring.instruments.definition import InstrumentDefinition
from remis.monitoring.models import Instrument, Response, Visit
from remis.monitoring.responses import definition_of, hidden_questions, masked_scores

KIND = "monitoring"
COLUMNS = (
    ExportColumn("case_reference", gettext_lazy("Case reference")),
    ExportColumn("response", gettext_lazy("Response ID")),
    ExportColumn("instrument", gettext_lazy("Instrument")),
    ExportColumn("instrument_version", gettext_lazy("Instrument version")),
    ExportColumn("round", gettext_lazy("Round")),
    ExportColumn("visit_date", gettext_lazy("Date of the visit")),
    ExportColumn("visit_mode", gettext_lazy("Mode")),
    ExportColumn("collected_on", gettext_lazy("Collected on")),
    ExportColumn("source", gettext_lazy("Source")),
    # A satisfaction response's item (its key in the plan) and assistance type.
    ExportColumn("assistance_item", gettext_lazy("Assistance item")),
    ExportColumn("assistance_type", gettext_lazy("Assistance type")),
    ExportColumn("question", gettext_lazy("Question")),
    ExportColumn("question_label", gettext_lazy("Question label")),
    ExportColumn("answer", gettext_lazy("Answer")),
    ExportColumn("answer_label", gettext_lazy("Answer label")),
    ExportColumn("indicator", gettext_lazy("Indicator")),
    # Fractions, as the API gives them (pages show them 0 to 100): the header says which.
    ExportColumn("indicator_value", gettext_lazy("Indicator value (0 to 1)")),
    ExportColumn("composite", gettext_lazy("Composite score (0 to 1)")),
    ExportColumn("band", gettext_lazy("Score band")),
    ExportColumn("economic", gettext_lazy("Economic score (0 to 1)")),
    ExportColumn("social", gettext_lazy("Social score (0 to 1)")),
    ExportColumn("psychosocial", gettext_lazy("Psychosocial score (0 to 1)")),
)


def may_export(actor: Any) -> bool:
    return bool(grants_with(actor, Perm.RECORDS_EXPORT)) and bool(grants_with(actor, Perm.CASE_VIEW))


class MonitoringExportForm(DayRangeForm):
    day_range = ("collected_from", "collected_to")

    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), required=False)
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), required=False)
    origin_country = forms.ChoiceField(label=gettext_lazy("Country of origin"), required=False)
    collected_from = forms.DateField(
        label=gettext_lazy("Collected from"), required=False, widget=IsoDateInput
    )
    collected_to = forms.DateField(label=gettext_lazy("Collected until"), required=False, widget=IsoDateInput)

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        from remis.monitoring.queries import covered_countries
        from remis.programmes.queries import visible_programmes

        super().__init__(*args, **kwargs)
        codes = list(Instrument.objects.order_by("code").values_list("code", flat=True).distinct())
        titles = instrument_titles(codes)  # in the reader's language, the latest version's
        self._choices("instrument", [("", _("All instruments")), *titles.items()])
        programmes = visible_programmes(actor).order_by("code")
        self._choices("programme", [("", _("All programmes")), *((p.code, p.name) for p in programmes)])
        origins = _flat(list(programmes.values_list("origin_countries", flat=True)))
        # And of those, the countries the reader's memberships cover (a case worker in Guinea
        # was offered about a hundred, each exporting nothing).
        covered = covered_countries(actor)
        if covered is not None:
            origins = [code for code in origins if code in covered]
        self._choices("origin_country", [("", _("All")), *named_countries(origins)])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _flat(values: list[Any]) -> list[str]:
    """The programmes' countries of origin (a list each), as one sorted list of codes."""
    codes: set[str] = set()
    for value in values:
        codes.update(value or [])
    return sorted(c for c in codes if c)


def form(actor: Any, data: Any = None, initial: Any = None) -> forms.Form:
    return MonitoringExportForm(actor, data, initial=initial, auto_id="export-%s")


def params(cleaned: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: cleaned[k] for k in ("instrument", "programme", "origin_country") if cleaned.get(k)
    }
    for name in ("collected_from", "collected_to"):
        if cleaned.get(name):
            out[name] = cleaned[name].isoformat()
    return out


def _responses(actor: Any, kept: dict[str, Any]) -> Any:
    rows = Response.objects.filter(case__isnull=False).filter(access_through(actor, Perm.RECORDS_EXPORT))
    if kept.get("instrument"):
        rows = rows.filter(instrument__code=kept["instrument"])
    if kept.get("programme"):
        rows = rows.filter(case__programme__code=kept["programme"])
    if kept.get("origin_country"):
        rows = rows.filter(case__origin_country=kept["origin_country"])
    if kept.get("collected_from"):
        rows = rows.filter(collected_on__gte=dt.date.fromisoformat(kept["collected_from"]))
    if kept.get("collected_to"):
        rows = rows.filter(collected_on__lte=dt.date.fromisoformat(kept["collected_to"]))
    return rows


def _words() -> dict[str, Any]:
    """How each coded column reads in words, in the requester's language, for a file asked
    with labels (the instrument, the mode, the source, the assistance type and the band were
    written as codes under translated headers)."""
    from remis.assistance.models import AssistanceType
    from remis.monitoring.models import ResponseSource, VisitMode

    language = (translation.get_language() or "en")[:2]

    def choice(choices: Any) -> Any:
        labels = dict(choices.choices)
        return lambda code: str(labels.get(code, code))

    titles: dict[str, str] = {}
    bands: dict[str, str] = {}
    for instrument in Instrument.objects.order_by("code", "version"):  # the latest's words last
        definition = definition_of(instrument)
        titles[definition.code] = definition.title.get(language)
        bands.update({band.code: band.label.get(language) for band in definition.bands})
    kinds = {t.code: str(t.label) for t in AssistanceType.objects.all()}
    return {
        "instrument": lambda code: titles.get(code, code),
        "visit_mode": choice(VisitMode),
        "source": choice(ResponseSource),
        "assistance_type": lambda code: kinds.get(code, code),
        "band": lambda code: bands.get(code, code),
    }


def prepare(actor: Any, kept: dict[str, Any]) -> Prepared:
    ordered = _responses(actor, kept).order_by("case__reference", "collected_on", "id")
    ids = list(ordered.values_list("id", flat=True))
    words = _words()
    columns = [ExportColumn(c.code, c.label, words.get(c.code)) for c in COLUMNS]
    # The groups the requester reads through every organisation (`groups_everywhere`): an
    # answer in another group (a returnee's distress) is not written, nor the indicator
    # that scores it.
    return Prepared(columns, len(ids), _chunks(ids, groups_everywhere(actor)))


@dataclass(frozen=True)
class _Read:
    """What each response of one instrument version is read with, built once per version:
    its definition, its choices' labels in the requester's language, its indicators."""

    definition: InstrumentDefinition
    labels: dict[str, dict[str, str]]
    by_question: dict[str, Any]
    hidden: frozenset[str]


def _read(definition: InstrumentDefinition, language: str, groups: frozenset[str] | None) -> _Read:
    labels = {c.name: {ch.name: ch.label.get(language) for ch in c.choices} for c in definition.choice_lists}
    hidden = hidden_questions(definition, groups)
    return _Read(definition, labels, {i.question: i for i in definition.indicators}, hidden)


def _chunks(ids: list[int], groups: frozenset[str]) -> Iterator[tuple[int, list[list[Any]]]]:
    language = translation.get_language() or "en"
    definitions: dict[int, _Read] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = Response.objects.select_related("instrument", "case", "follow_up", "visit").in_bulk(chunk)
        # Satisfaction with an item of a type in a group the requester does not hold: no row.
        about = [r.item_key for r in found.values() if r.item_key is not None]
        kinds: dict[Any, str] = {}
        unseen = set()
        for key, code, group in AssistanceItem.objects.filter(key__in=about).values_list(
            "key", "kind__code", "kind__sensitive_group"
        ):
            kinds[key] = code
            if not shows(groups, group):
                unseen.add(key)
        # A round's answers were kept without their visit (the form and the imports record
        # them apart): the round's latest visit is theirs.
        rounds = [r.follow_up_id for r in found.values() if r.visit_id is None and r.follow_up_id]
        visits: dict[int | None, Any] = {}
        for found_visit in Visit.objects.filter(follow_up_id__in=rounds).order_by("visited_on", "id"):
            visits[found_visit.follow_up_id] = found_visit
        rows: list[list[Any]] = []
        for pk in chunk:
            response = found.get(pk)
            if response is None or response.item_key in unseen:
                continue  # deleted meanwhile, or about an item the requester may not know of
            if response.instrument_id not in definitions:
                definitions[response.instrument_id] = _read(
                    definition_of(response.instrument), language, groups
                )
            visit = response.visit or visits.get(response.follow_up_id)
            kind = kinds.get(response.item_key, "")
            rows.extend(_rows(response, definitions[response.instrument_id], language, visit, kind))
        yield len(chunk), rows


def _rows(response: Response, reading: _Read, language: str, visit: Any, kind: str) -> list[list[Any]]:
    definition, labels, by_question = reading.definition, reading.labels, reading.by_question
    # Without the scores that would give a hidden answer back (responses.masked_scores).
    response = masked_scores(definition, response, reading.hidden)
    common = [
        response.case.reference if response.case else "",
        str(response.uuid),
        definition.code,
        definition.version,
        response.follow_up.round if response.follow_up else "",
        visit.visited_on.isoformat() if visit else "",
        visit.mode if visit else "",
        response.collected_on.isoformat(),
        response.source,
        str(response.item_key) if response.item_key else "",
        kind,
    ]
    scores = [
        _number(response.composite),
        response.band,
        *(_number(getattr(response, name)) for name in ("economic", "social", "psychosocial")),
    ]
    out = []
    for question in definition.questions:
        if question.name not in response.answers or question.name in reading.hidden:
            continue  # not asked (relevance), left empty, or in a group the requester does not hold
        answer = response.answers[question.name]
        choices = labels.get(question.choice_list or "", {})
        if isinstance(answer, list):
            raw = " ".join(str(a) for a in answer)
            read = "; ".join(choices.get(str(a), str(a)) for a in answer)
        else:
            raw = answer
            read = choices.get(str(answer), "") if choices else ""
        indicator = by_question.get(question.name)
        value = response.indicators.get(indicator.code) if indicator else None
        out.append(
            [
                *common,
                question.name,
                question.label.get(language),
                raw,
                read,
                indicator.code if indicator else "",
                _number(value),
                *scores,
            ]
        )
    return out


def _number(value: Any) -> Any:
    if value is None:
        return ""
    return float(value) if isinstance(value, Decimal) else value


def register() -> None:
    from remis.interop.exporting import register_export

    register_export(
        ExportKind(
            code=KIND,
            label=gettext_lazy("Monitoring data (long format)"),
            description=gettext_lazy(
                "One row a response × question, with the instrument's version, the round, the "
                "answer's code and label, the indicator value and the response's score."
            ),
            form=form,
            params=params,
            prepare=prepare,
            may_export=may_export,
        )
    )
