"""How case records read in histories and the audit search: field labels, names for ids,
labels for codes, and which values are sensitive. Registered with the audit app from
`CasesConfig.ready()`; the audit app itself knows nothing of cases."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import (
    choices,
    countries,
    described_by_id,
    extend_field,
    file_sizes,
    file_types,
    logged_groups,
    named_by_id,
    names_people,
    register_field,
    register_object,
    register_reader_rights,
    register_row_group,
)


def register() -> None:
    from remis.accounts.models import Organisation, User
    from remis.accounts.permissions import GROUP_CHOICES
    from remis.cases.lifecycle import ClosureReason, Stage
    from remis.cases.models import (
        AccessReason,
        Case,
        CaseMember,
        ConsentPurpose,
        CounsellingMode,
        DocumentKind,
        ErasureReason,
        ErasureStatus,
        Escort,
        Fitness,
        NeedKind,
        Person,
        PostArrivalStatus,
        Relation,
        ReturnType,
        Sex,
        SubmissionStatus,
    )
    from remis.cases.policy import field_group, groups_everywhere
    from remis.programmes.models import MigrantCategory, PartnerRole, Programme, Vulnerability

    def person_name(person: Person) -> str:
        if person.erased_at is not None:
            return str(_("Personal data erased"))
        return f"{person.given_name} {person.family_name}"

    organisations = named_by_id(Organisation, lambda o: o.name)
    stages = choices(Stage)
    fields: dict[str, tuple[Any, Any]] = {
        "given_name": (_("Given name"), None),
        "family_name": (_("Family name"), None),
        "alternate_names": (_("Alternate spellings"), None),
        "sex": (_("Sex"), choices(Sex)),
        "date_of_birth": (_("Date of birth"), None),
        "birth_year_estimated": (_("Estimated year of birth"), None),
        "nationality": (_("Nationality"), countries),
        "phone": (_("Phone"), None),
        "email": (_("Email"), None),
        "address": (_("Address in the country of origin"), None),
        "reference": (_("Reference"), None),
        "programme": (_("Programme"), named_by_id(Programme, lambda p: p.name)),
        "return_type": (_("Return type"), choices(ReturnType)),
        "category": (
            _("Migrant category"),
            named_by_id(MigrantCategory, lambda c: c.label, lambda c: c.sensitive_group, _category_stand_in),
        ),
        "vulnerabilities": (
            _("Vulnerabilities"),
            named_by_id(Vulnerability, lambda v: v.label, lambda v: v.sensitive_group),
        ),
        "host_country": (_("Host country"), countries),
        "origin_country": (_("Country of origin"), countries),
        "issuing_country": (_("Issuing country"), countries),
        "stage": (_("Stage"), stages),
        "stage_before_closure": (_("Stage before closure"), stages),
        "closure_reason": (_("Closure reason"), choices(ClosureReason)),
        "registering_organisation": (_("Registering organisation"), organisations),
        "to_organisation": (_("Reintegration partner"), organisations),
        "organisation": (_("Organisation"), organisations),
        "intended_return_date": (_("Intended return date"), None),
        "arrival_date": (_("Arrival date"), None),
        "departure_date": (_("Departure date"), None),
        "post_arrival_status": (_("Post-arrival status"), choices(PostArrivalStatus)),
        "assigned_workers": (_("Case workers"), named_by_id(User, lambda u: u.display_name)),
        "status": (_("Status"), choices(SubmissionStatus)),
        "rejection_reason": (_("Reason for rejection"), None),
        "message": (_("Message"), None),
        "person": (_("Person"), named_by_id(Person, person_name)),
        "relation": (_("Relation to the principal applicant"), choices(Relation)),
        "reason": (_("Access"), choices(AccessReason)),
        "purpose": (_("Purpose"), choices(ConsentPurpose)),
        "given": (_("Consent"), None),
        "groups": (_("Sensitive details covered"), choices(_Choices(GROUP_CHOICES))),
        "given_on": (_("Date"), None),
        "note": (_("Note"), None),
        "held_on": (_("Date"), None),
        "mode": (_("Mode"), choices(CounsellingMode)),
        "topics": (_("Topics"), None),
        "interpreter_used": (_("Interpreter used"), None),
        "kind": (_("Kind"), choices(_Merged(NeedKind, DocumentKind))),
        "description": (_("Description"), None),
        "route": (_("Route"), None),
        "escort": (_("Escort"), choices(Escort)),
        "medical_fitness": (_("Medical fitness to travel"), choices(Fitness)),
        "notes": (_("Notes"), None),
        "received_on": (_("Date of reception"), None),
        "airport_pickup": (_("Airport pick-up"), None),
        "accommodation_nights": (_("Nights of temporary accommodation"), None),
        "nutrition": (_("Nutrition"), None),
        "pocket_money": (_("Pocket money"), None),
        "pocket_money_currency": (_("Currency"), None),
        "onward_transport": (_("Onward transport"), None),
        "urgent_medical_care": (_("Urgent medical care"), None),
        "body": (_("Note"), None),
        "title": (_("Title"), None),
        "content_type": (_("File type"), file_types),
        "size": (_("Size"), file_sizes),
        "deleted_at": (_("Removed"), None),
        "household_size": (_("Household"), None),
        "erasure_reason": (_("Reason for erasure"), choices(ErasureReason)),
        "erased_items": (_("Items erased"), None),
        "whole_cases": (_("Cases whose free text was erased"), None),
        "erasure_status": (_("Erasure request"), choices(ErasureStatus)),
        "retention_years": (_("Years kept after closure"), None),
        "persons_erased": (_("Persons erased"), None),
        "cases_anonymised": (_("Cases anonymised"), None),
        "cases_covered": (_("Cases covered"), None),  # a subject access export's
        # An identity document added or removed after registration, on its person's record.
        "document_kind": (_("Identity document"), choices(DocumentKind)),
        "document_number": (_("Document number"), None),
        "document_country": (_("Issuing country"), countries),
        "document_expires_on": (_("Expiry date"), None),
        # An imported case's (`imports.py`): its history showed these codes in every language.
        "external_id": (_("External ID"), None),
        "registered_on": (_("Registered on"), None),
        "closed_on": (_("Closed on"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)

    register_object("cases.case", _("Case"), described_by_id(Case, lambda c: c.reference))
    register_object("cases.person", _("Person"), described_by_id(Person, person_name), subject=True)
    names_people("person", "cases.person", "cases.casemember")
    register_object(
        "cases.casemember",
        _("Household member"),
        described_by_id(CaseMember, lambda m: person_name(m.person), "person"),
        subject=True,
    )
    register_object("cases.erasure", _("Erasure request"))
    register_object("cases.caseaccess", _("Access to the case"))
    register_object("cases.submission", _("Submission"))
    register_object("cases.consent", _("Consent"))
    register_object("cases.counsellingsession", _("Counselling session"))
    register_object("cases.predepartureneed", _("Need"))
    register_object("cases.returntravel", _("Return travel"))
    register_object("cases.reception", _("Reception on arrival"))
    register_object("cases.note", _("Note"))
    register_object("cases.casedocument", _("Document"))
    register_object("programmes.programme", _("Programme"), described_by_id(Programme, lambda p: p.name))
    # The programmes app's other records, named rather than read as "programmes.programmesettings #10".
    register_object("programmes.programmesettings", _("Programme settings"))
    register_object("programmes.programmepartner", _("Programme partner"))
    register_object("programmes.proposalrules", _("Proposal rules"))
    register_object("programmes.grouping", _("Country grouping"))
    register_object("programmes.configurationitem", _("Configuration"))
    extend_field("role", choices(PartnerRole), object_types=["programmes.programmepartner"])
    register_reader_rights(groups_everywhere, field_group)
    register_row_group("cases.predepartureneed", ["kind", "description"], need_groups)


def need_groups(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    from remis.cases.models import PreDepartureNeed
    from remis.cases.policy import need_group

    ids = [int(i) for i, _changes in entries if i.isdigit()]
    found = {
        str(pk): need_group(k)
        for pk, k in PreDepartureNeed.objects.filter(pk__in=ids).values_list("id", "kind")
    }
    logged = logged_groups(entries, "kind", need_group)
    # Its kind now, or a medical kind its entries logged (removed, or changed since).
    return {**logged, **found, **{object_id: g for object_id, g in logged.items() if g}}


class _Choices:
    """Plain (value, label) pairs read like a TextChoices."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.choices = pairs


class _Merged:
    """Two TextChoices read as one (needs and identity documents both have a "kind")."""

    def __init__(self, *enums: Any) -> None:
        self.choices = [c for enum in enums for c in enum.choices]


def _category_stand_in() -> str:
    """What a category of a group the reader does not hold reads as in the history, as on
    the case page (`policy.category_as_read`)."""
    from remis.cases.policy import category_stand_in

    stand_in = category_stand_in()
    return stand_in.label if stand_in is not None else ""
