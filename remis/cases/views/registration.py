"""Registering a case (in the host country or after arrival) with its household."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.cases import actions
from remis.cases import forms as case_forms
from remis.cases.actions import IdentityDocumentData, PersonData
from remis.cases.actions.validation import MemberData, Problems, check_person
from remis.cases.views.common import apply_errors
from remis.lib.errors import DomainError, Duplicate
from remis.lib.pages import forbidden


def person_data(cleaned: dict[str, Any]) -> PersonData:
    documents = []
    if cleaned.get("document_kind") and cleaned.get("document_number"):
        documents.append(
            IdentityDocumentData(
                kind=cleaned["document_kind"],
                number=cleaned["document_number"],
                issuing_country=cleaned.get("document_country") or "",
            )
        )
    return PersonData(
        given_name=cleaned["given_name"],
        family_name=cleaned["family_name"],
        sex=cleaned["sex"],
        date_of_birth=cleaned.get("date_of_birth"),
        birth_year_estimated=cleaned.get("birth_year_estimated"),
        nationality=cleaned.get("nationality") or "",
        alternate_names=cleaned.get("alternate_names") or "",
        phone=cleaned.get("phone") or "",
        email=cleaned.get("email") or "",
        address=cleaned.get("address") or "",
        documents=documents,
    )


def _organisations_with(user: Any, perm: Perm) -> Any:
    return Organisation.objects.filter(pk__in=[g.organisation_id for g in grants_with(user, perm)])


def _office_countries(user: Any, perm: Perm) -> frozenset[str] | None:
    """The countries the user registers in through `perm` (None: every country)."""
    countries: set[str] = set()
    for grant in grants_with(user, perm):
        if grant.countries is None:
            return None
        countries |= grant.countries
    return frozenset(countries)


def _members_data(formset: Any) -> list[MemberData]:
    return [
        MemberData(
            person=PersonData(
                given_name=c["given_name"],
                family_name=c["family_name"],
                sex=c["sex"],
                date_of_birth=c.get("date_of_birth"),
            ),
            relation=c["relation"],
        )
        for c in (f.cleaned_data for f in formset.forms)
        if c and not c.get("DELETE")
    ]


def _apply_member_errors(form: forms.Form, formset: Any, error: DomainError) -> None:
    """Errors naming members[i].field go to that row; the rest to the main form."""
    others = []
    for field, message in error.errors:
        match = re.fullmatch(r"members\[(\d+)\]\.(\w+)", field or "")
        if match and int(match[1]) < len(formset.forms):
            row = formset.forms[int(match[1])]
            row.add_error(match[2] if match[2] in row.fields else None, message)
        else:
            others.append((field, message))
    if others:
        apply_errors(form, DomainError(error.message, errors=others))


@login_required
def register(request: HttpRequest, post_arrival: bool = False) -> HttpResponse:
    perm = Perm.CASE_OPEN_POST_ARRIVAL if post_arrival else Perm.CASE_REGISTER
    organisations = _organisations_with(request.user, perm)
    if not organisations.exists():
        return forbidden(request, _("Your role cannot register cases."))
    form_class = case_forms.PostArrivalCaseForm if post_arrival else case_forms.RegisterCaseForm
    form = form_class(
        request.POST or None, organisations=organisations, countries=_office_countries(request.user, perm)
    )
    member_data: Any = request.POST or None
    if member_data is not None and "members-TOTAL_FORMS" not in member_data:
        member_data = {"members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}  # no member rows sent
    members = case_forms.MembersFormSet(member_data, prefix="members")
    twin_url = ""
    if request.method == "POST" and form.is_valid() and members.is_valid():
        c = form.cleaned_data
        common = {
            "programme": c["programme"],
            "category": c["category"],
            "host_country": c["host_country"],
            "origin_country": c["origin_country"],
            "person": person_data(c),
            "vulnerabilities": c.get("vulnerabilities") or [],
            "members": _members_data(members),
        }
        # A case for the same person registered lately is said, unless the box was ticked.
        common["check_twins"] = not c.get("confirm_duplicate")
        try:
            if post_arrival:
                case = actions.open_post_arrival_case(
                    request.user, c["organisation"], arrival_date=c["arrival_date"], **common
                )
            else:
                case = actions.register_case(
                    request.user,
                    c["organisation"],
                    intended_return_date=c.get("intended_return_date"),
                    **common,
                )
        except DomainError as error:
            if any(field == "confirm_duplicate" for field, _message in error.errors):
                form.ask_to_confirm_duplicate()
                if isinstance(error, Duplicate) and error.existing:
                    # The case named, to open beside the form and compare before deciding.
                    twin_url = reverse("case_detail", args=[error.existing])
            _apply_member_errors(form, members, error)
        else:
            messages.success(request, _("Case %(reference)s registered.") % {"reference": case.reference})
            return redirect("case_detail", case_uuid=case.uuid)
    if request.method == "POST" and form.is_valid() and not members.is_valid():
        # A member row refused: the applicant's own cross-field checks (a date of birth and
        # an estimated year that disagree) are said in the same round, not after the fix.
        problems = Problems()
        check_person(problems, person_data(form.cleaned_data))
        if problems.items:
            apply_errors(form, DomainError(problems.items[0][1], errors=problems.items))
    if form.is_bound and form.data.get("confirm_duplicate") in ("on", "true", "True"):
        form.ask_to_confirm_duplicate()  # ticked, and sent back for another field: still shown
    form.narrow_to_programme()
    return render(
        request,
        "cases/register.html",
        {"form": form, "members": members, "post_arrival": post_arrival, "twin_url": twin_url},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def member_row(request: HttpRequest) -> HttpResponse:
    """One more empty household-member row for the registration form (htmx), with the
    formset's updated form count swapped in beside it."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 19))
    except ValueError:
        index = 0
    # A formset bound to nothing but its count builds row `index` with the right names.
    count = {"members-TOTAL_FORMS": str(index + 1), "members-INITIAL_FORMS": "0"}
    row = case_forms.MembersFormSet(count, prefix="members").forms[index]
    return render(
        request,
        "cases/_member_row.html",
        {"row": row, "index": index, "next_index": index + 1, "oob": True},
    )
