"""The case list as a file (`remis/interop/exporting.py` writes it; registered in
`CasesConfig.ready`): one row a case with its principal applicant, the cases the case list
shows with the same filters, among those the requester may export.

The columns are the case import's (`imports.COLUMNS`), with codes and ISO dates, so an
exported list can be corrected in a spreadsheet and imported again; the external ID is the
requester's organisation's. A category in a sensitive group the requester does not hold
reads `restricted` (a code, as the column holds codes in either kind of header; the case
list says "Restricted"), which the import refuses with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.cases.forms import SEARCH_LOST, CaseFilterForm, list_state_from_url, search_lost_message
from remis.cases.imports import CASE_COLUMNS, COLUMNS, PERSON_COLUMNS
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess
from remis.cases.policy import case_scope, category_stand_in, groups_everywhere, shows
from remis.cases.queries import (
    CaseFilters,
    CaseIds,
    countries_read,
    filter_cases,
    filter_organisations,
    filter_workers,
)
from remis.interop.exporting import CHUNK, ExportColumn, ExportKind, Prepared

KIND = "cases"
FILTERS = ("stage", "category", "host_country", "origin_country", "organisation", "worker", "sort")
DAYS = ("arrived_from", "arrived_to")


def may_export(actor: Any) -> bool:
    return bool(grants_with(actor, Perm.RECORDS_EXPORT)) and bool(grants_with(actor, Perm.CASE_VIEW))


class CaseExportForm(CaseFilterForm):
    """The case list's filters (and its search), as the list had them when "Export" was
    clicked; the order is the list's."""

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        # The list's choices: the countries and organisations the actor's cases can have
        # (the export offered every country of the world and every organisation).
        super().__init__(
            *args,
            workers=filter_workers(actor),
            groups=groups_everywhere(actor),
            organisations=filter_organisations(actor),
            countries=countries_read(actor),
            **kwargs,
        )
        del self.fields["page"]
        # Opened from a list whose search is no longer kept: said above the form, which
        # would otherwise export every case of the other filters.
        initial = kwargs.get("initial") or {}
        self.notice = search_lost_message() if initial.get(SEARCH_LOST) else ""


def form(actor: Any, data: Any = None, initial: Any = None) -> forms.Form:
    return CaseExportForm(actor, data, initial=initial, auto_id="export-%s")


def initial(request: Any) -> dict[str, Any]:
    """The case list's filters as the list page last had them (its URL, its search)."""
    return list_state_from_url(request.GET, request.session) or {}


def params(cleaned: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in FILTERS:
        value = cleaned.get(name)
        value = getattr(value, "pk", value)
        if value not in (None, ""):
            out[name] = value
    for name in DAYS:
        if cleaned.get(name):
            out[name] = cleaned[name].isoformat()
    if cleaned.get("q"):
        out["q"] = cleaned["q"]
        if cleaned.get("similar"):
            out["similar"] = True  # of the search only: said only beside one
    return out


def audited(kept: dict[str, Any]) -> dict[str, Any]:
    """The filters without the search's text (a name): only that there was one."""
    return {**{k: v for k, v in kept.items() if k != "q"}, **({"search": True} if kept.get("q") else {})}


def _filters(kept: dict[str, Any]) -> CaseFilters:
    def day(name: str) -> dt.date | None:
        return dt.date.fromisoformat(kept[name]) if kept.get(name) else None

    return CaseFilters(
        q=kept.get("q", ""),
        similar=bool(kept.get("similar")),
        stage=kept.get("stage", ""),
        category=kept.get("category", ""),
        host_country=kept.get("host_country", ""),
        origin_country=kept.get("origin_country", ""),
        organisation=kept.get("organisation"),
        worker=kept.get("worker"),
        arrived_from=day("arrived_from"),
        arrived_to=day("arrived_to"),
        sort=kept.get("sort") or "-registered",
    )


def _words() -> dict[str, Any]:
    """How each coded column reads in words, in the requester's language."""
    from remis.cases.lifecycle import ClosureReason
    from remis.cases.models import ReturnType, Sex
    from remis.lib.countries import country_name
    from remis.programmes.models import MigrantCategory, Programme

    def choice(choices: Any) -> Any:
        labels = dict(choices.choices)
        return lambda code: str(labels.get(code, code))

    # A category the requester may not read is written `restricted`: in words, as the case
    # list says it ("restricted" stood among the categories' names).
    categories = {
        RESTRICTED: gettext("Restricted"),
        **{c.code: c.label for c in MigrantCategory.objects.all()},
    }
    programmes = dict(Programme.objects.values_list("code", "name"))
    return {
        "programme": lambda code: programmes.get(code, code),
        "return_type": choice(ReturnType),
        "category": lambda code: str(categories.get(code, code)),
        "host_country": country_name,
        "origin_country": country_name,
        "nationality": country_name,
        "stage": choice(Stage),
        "stage_before_closure": choice(Stage),
        "closure_reason": choice(ClosureReason),
        "sex": choice(Sex),
    }


def columns() -> list[ExportColumn]:
    words = _words()
    return [ExportColumn(c.name, c.label, words.get(c.name)) for c in COLUMNS]


VALUES = (
    "id", "reference", "programme__code", "category__code", "category__sensitive_group", "registered_at",
    "stage_changed_at", "travel__departure_date",
    *(c for c in CASE_COLUMNS if c not in ("programme", "category")),
    *(f"principal__{c}" for c in PERSON_COLUMNS), "principal__erased_at",
)  # fmt: skip


RESTRICTED = "restricted"  # the category code written for a category the requester may not read


def prepare(actor: Any, kept: dict[str, Any]) -> Prepared:
    # The ids only (a million cases are a few megabytes), in the list's order; each chunk
    # then reads its rows, checked against the export permission's own scope.
    listed = CaseIds(filter_cases(actor, _filters(kept)))[slice(0, None)]
    ids = list(dict.fromkeys(listed))
    return Prepared(columns(), len(ids), _chunks(actor, ids))


def _chunks(actor: Any, ids: list[int]) -> Iterator[tuple[int, list[list[Any]]]]:
    scope = case_scope(actor, Perm.RECORDS_EXPORT)
    groups = groups_everywhere(actor)
    stand_in = category_stand_in()  # what a category of a group not held reads as
    hidden_category = stand_in.code if stand_in is not None else RESTRICTED
    org_ids = [g.organisation_id for g in grants_with(actor, Perm.RECORDS_EXPORT)]
    tz = timezone.get_current_timezone()
    names = [c.code for c in columns()]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if scope is None:
            yield len(chunk), []
            continue
        found = {row["id"]: row for row in Case.objects.filter(id__in=chunk).filter(scope).values(*VALUES)}
        external: dict[int, str] = {}
        for case_id, value in (
            CaseAccess.objects.filter(case_id__in=list(found), organisation_id__in=org_ids)
            .exclude(external_id="")
            .order_by("organisation_id")
            .values_list("case_id", "external_id")
        ):
            external.setdefault(case_id, value)
        rows = []
        for pk in chunk:
            row = found.get(pk)
            if row is None:
                continue  # outside the export's scope, or deleted meanwhile
            values = {
                **{c: row[c] for c in CASE_COLUMNS if c not in ("programme", "category")},
                **{c: row[f"principal__{c}"] for c in PERSON_COLUMNS},
                # An erased person's given name is blank, as the API gives it: the pages' "—"
                # came back as a name in the file.
                **({"given_name": ""} if row["principal__erased_at"] is not None else {}),
                "external_id": external.get(pk, ""),
                "reference": row["reference"],
                "programme": row["programme__code"],
                "category": row["category__code"]
                if shows(groups, row["category__sensitive_group"])
                else hidden_category,
                "registered_on": row["registered_at"].astimezone(tz).date(),
                "departure_date": row["travel__departure_date"],
                "closed_on": row["stage_changed_at"].astimezone(tz).date()
                if row["stage"] == Stage.CLOSED
                else None,
            }
            rows.append([_text(values.get(name)) for name in names])
        yield len(chunk), rows


def _text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def register() -> None:
    from remis.interop.exporting import register_export

    register_export(
        ExportKind(
            code=KIND,
            label=gettext_lazy("Case list"),
            description=gettext_lazy(
                "One row a case with its principal applicant, in the columns of the case import: "
                "the cases the case list shows with these filters."
            ),
            form=form,
            params=params,
            prepare=prepare,
            may_export=may_export,
            audited=audited,
            initial=initial,
        )
    )
