"""Registering cases, in the host country or after arrival, and editing who they cover."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.accounts.system import is_system
from remis.audit.actions import created, diff, record, snapshot
from remis.audit.once import sent_once
from remis.cases import fields as field_rules
from remis.cases.actions.common import (
    apply_changes,
    check_version,
    hold_case,
    refresh_search_text,
    require,
    save_versioned,
)
from remis.cases.actions.validation import (
    IdentityDocumentData,
    MemberData,
    PersonData,
    Problems,
    check_document,
    check_intended_return,
    check_members,
    check_person,
    relation_age_problem,
)
from remis.cases.events import CaseRegistered, PersonUpdated
from remis.cases.lifecycle import POST_ARRIVAL_TRANSITIONS, Stage, can_change, run_stage_hooks
from remis.cases.models import (
    AccessReason,
    Case,
    CaseAccess,
    CaseMember,
    IdentityDocument,
    Person,
    PostArrivalStatus,
    ReferenceCounter,
    Relation,
    ReturnType,
    Transition,
    listing_values,
)
from remis.cases.policy import groups_on_case, shows, withheld
from remis.cases.queries import assignable_workers, colleague_ids, same_person
from remis.lib import events
from remis.lib.countries import alpha3, country_name, is_country
from remis.lib.dates import birth_year
from remis.lib.errors import (
    Conflict,
    Duplicate,
    NotFound,
    PermissionDenied,
    TransitionRefused,
    ValidationFailed,
)
from remis.lib.text import fold_document_number, latin_digits, list_separator
from remis.programmes.models import MigrantCategory, PartnerRole, Programme, Vulnerability
from remis.programmes.queries import partners_in

PERSON_FIELDS = [
    "given_name",
    "family_name",
    "alternate_names",
    "sex",
    "date_of_birth",
    "birth_year_estimated",
    "nationality",
    "phone",
    "email",
    "address",
]
CASE_FIELDS = [
    "reference",
    "programme",
    "return_type",
    "category",
    "host_country",
    "origin_country",
    "stage",
    "registering_organisation",
    "intended_return_date",
    "arrival_date",
    "post_arrival_status",
    "vulnerabilities",
    "assigned_workers",
]


def next_reference(origin_country: str, year: int) -> str:
    """GIN-2026-000123: the country of origin, the year, and a sequence per both.
    Must run inside the registering transaction; the row lock serialises concurrent calls."""
    prefix = f"{alpha3(origin_country)}-{year}"
    ReferenceCounter.objects.get_or_create(prefix=prefix)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix)
    # A case may carry a reference it was given (an import of an exported list, a file from
    # the old database) ahead of the counter: numbering steps over it, where it used to
    # refuse every new case of the prefix as a duplicate from then on.
    while True:
        counter.last += 1
        reference = f"{prefix}-{counter.last:06d}"
        if not Case.objects.filter(reference=reference).exists():
            break
    counter.save(update_fields=["last"])
    return reference


DOCUMENT_FIELDS = ("kind", "number", "issuing_country", "expires_on")


def document_writer(actor: Any, case: Case, person: Person) -> None:
    """Who may add or remove a person's identity documents: an editor of the case who holds
    the identity group (the documents are shown to no one else), of a person of the case
    whose data is not erased."""
    require(actor, case, Perm.CASE_EDIT)
    if withheld(groups_on_case(actor, case), "cases.identitydocument"):
        raise PermissionDenied()
    _require_member(case, person)
    if person.erased_at is not None:
        raise _erased()


def add_identity_document(
    actor: Any, case: Case, person: Person, doc: IdentityDocumentData
) -> IdentityDocument:
    """Record another identity document of a person of the case (one issued after the
    registration, or a household member's: only the principal's could be given, at
    registration, and none added or corrected later)."""
    document_writer(actor, case, person)
    problems = Problems()
    check_document(problems, doc)
    problems.raise_if_any()
    with transaction.atomic():
        hold_case(case)
        if Person.objects.filter(pk=person.pk, erased_at__isnull=False).exists():
            raise _erased()
        # Under the case's lock: the same form sent from two tabs recorded it twice.
        folded = fold_document_number(doc.number)
        for kind, number in IdentityDocument.objects.filter(person=person).values_list("kind", "number"):
            if kind == doc.kind and fold_document_number(number) == folded:
                raise Duplicate(_("This person has this document already."), "document_number")
        row = IdentityDocument.objects.create(
            person=person,
            kind=doc.kind,
            number=latin_digits(doc.number.strip()),
            issuing_country=doc.issuing_country.upper(),
            expires_on=doc.expires_on,
        )
        refresh_search_text(case)  # found by its number
        changes = _document_changes(snapshot(row, DOCUMENT_FIELDS), adding=True)
        # Logged on the person, whose key their erasure destroys (`apps.PERSONAL_FIELDS`).
        record(actor, "identity_document.add", person, case_uuid=case.uuid, changes=changes)
    return row


def _document_changes(values: dict[str, Any], *, adding: bool) -> dict[str, list[Any]]:
    """A document's values as changes of its person's record (`document_number`…)."""
    names = {"kind": "document_kind", "number": "document_number"}
    names |= {"issuing_country": "document_country", "expires_on": "document_expires_on"}
    return {names[k]: ([None, v] if adding else [v, None]) for k, v in values.items() if v not in (None, "")}


def remove_identity_document(actor: Any, case: Case, document: IdentityDocument) -> None:
    """Remove a person's identity document recorded in error (a mistyped number is removed
    and entered again); audited with what it said."""
    person = document.person
    document_writer(actor, case, person)
    with transaction.atomic():
        hold_case(case)
        if not IdentityDocument.objects.filter(pk=document.pk).exists():
            # Removed from another tab meanwhile: said, not audited a second time.
            raise NotFound()
        changes = _document_changes(snapshot(document, DOCUMENT_FIELDS), adding=False)
        record(actor, "identity_document.remove", person, case_uuid=case.uuid, changes=changes)
        document.delete()
        refresh_search_text(case)


def _create_person(actor: Any, person: PersonData, case_uuid: uuid.UUID) -> Person:
    row = Person.objects.create(**person.model_fields())
    record(actor, "person.create", row, case_uuid=case_uuid, changes=created(row, PERSON_FIELDS))
    for doc in person.documents:
        document = IdentityDocument.objects.create(
            person=row,
            kind=doc.kind,
            # As printed on the document: typed on an Arabic keyboard, its digits were
            # kept as typed, and a search with the passport's own digits found nothing.
            number=latin_digits(doc.number.strip()),
            issuing_country=doc.issuing_country.upper(),
            expires_on=doc.expires_on,
        )
        # Audited as one added later is: a passport entered at registration was in no
        # entry of the case's history.
        changes = _document_changes(snapshot(document, DOCUMENT_FIELDS), adding=True)
        record(actor, "identity_document.add", row, case_uuid=case_uuid, changes=changes)
    return row


UNACCOMPANIED_CHILD = "unaccompanied_separated_child"  # the shipped category's code


def youngest_age(born: dt.date | None, year: int | None, day: dt.date | None = None) -> int | None:
    """A person's age on `day` (today by default), from the date of birth, or the youngest
    an estimated year allows; None when neither is known."""
    day = day or timezone.localdate()
    if born:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if year:
        return day.year - int(year) - 1
    return None


UNACCOMPANIED_VULNERABILITY = "unaccompanied_child"  # the shipped vulnerability's code


def _adult_child(problems: Problems, field: str, person: Any, message: str) -> None:
    """An unaccompanied or separated child is under 18: a 56-year-old was registered as one
    (the category), a 46-year-old saved with it (the vulnerability), and the child-protection
    steps it calls for followed a grown man. `message` names what to check."""
    age = youngest_age(person.date_of_birth, person.birth_year_estimated)
    if age is not None and age >= 18:
        problems.add(field, message % {"age": age})


def _check_vulnerability_age(problems: Problems, vulnerabilities: Iterable[Any], person: Any) -> None:
    if any(getattr(v, "code", None) == UNACCOMPANIED_VULNERABILITY for v in vulnerabilities):
        message = _(
            "An unaccompanied or separated child is under 18, and this person is %(age)s: "
            "check the date of birth or the vulnerabilities."
        )
        _adult_child(problems, "vulnerabilities", person, message)


def _check_category_age(
    problems: Problems, category: MigrantCategory, person: Any, field: str = "category"
) -> None:
    if getattr(category, "code", None) == UNACCOMPANIED_CHILD:
        message = _(
            "An unaccompanied or separated child is under 18, and this person is %(age)s: "
            "check the date of birth or the category."
        )
        _adult_child(problems, field, person, message)


def _check_case(
    problems: Problems, programme: Programme, category: MigrantCategory, host: str, origin: str
) -> None:
    problems.country("host_country", host)
    problems.country("origin_country", origin)
    if host and host == origin:
        problems.add("origin_country", _("The country of origin must differ from the host country."))
    # A code that is no country is said once, not again as one the programme does not cover.
    if host and is_country(host) and programme.host_countries and host not in programme.host_countries:
        problems.add(
            "host_country",
            _("Programme %(code)s does not cover host country %(country)s.")
            % {"code": programme.name, "country": country_name(host)},
        )
    if (
        origin
        and is_country(origin)
        and programme.origin_countries
        and origin not in programme.origin_countries
    ):
        problems.add(
            "origin_country",
            _("Programme %(code)s does not cover country of origin %(country)s.")
            % {"code": programme.name, "country": country_name(origin)},
        )
    _check_eligible(problems, programme, category)


def _check_eligible(problems: Problems, programme: Programme, category: MigrantCategory) -> None:
    eligible = set(programme.eligible_categories.values_list("pk", flat=True))
    if eligible and category.pk not in eligible:
        problems.add(
            "category",
            _("“%(category)s” is not eligible in programme %(code)s.")
            % {"category": category.label, "code": programme.name},
        )


def _check_programme_open(problems: Problems, programme: Programme, intended: dt.date | None = None) -> None:
    """A new case joins a programme that takes cases today: active, started and not ended
    (a deactivated programme, whose page promised "no new case can join it", took them
    through the API; an ended one through the form). A return intended after its end is
    refused too: the programme would not be there to assist it."""
    today = timezone.localdate()
    if not programme.active:
        problems.add(
            "programme", _("Programme %(code)s is inactive: no new case joins it.") % {"code": programme.name}
        )
    elif programme.starts_on and programme.starts_on > today:
        problems.add(
            "programme",
            _("Programme %(code)s starts on %(day)s: cases join it from that day.")
            % {"code": programme.name, "day": date_format(programme.starts_on, "DATE_FORMAT")},
        )
    elif programme.ends_on and programme.ends_on < today:
        problems.add(
            "programme",
            _("Programme %(code)s ended on %(day)s: no new case joins it.")
            % {"code": programme.name, "day": date_format(programme.ends_on, "DATE_FORMAT")},
        )
    elif intended and programme.ends_on and intended > programme.ends_on:
        problems.add(
            "intended_return_date",
            _("Programme %(code)s ends on %(day)s: plan the return before its end.")
            % {"code": programme.name, "day": date_format(programme.ends_on, "DATE_FORMAT")},
        )


def programme_change_refused(programme: Programme, after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a programme's change may not do to the cases in it (registered with the
    programmes app): start after a case joined it, end before one did, or drop a country
    its cases return from or to. Only what the change moves is checked."""
    cases = Case.objects.filter(programme=programme)
    problems: list[tuple[str, str]] = []
    joined = cases.order_by("registered_at").values_list("registered_at", flat=True)
    if after["starts_on"] != programme.starts_on and (first := joined.first()) is not None:
        day = timezone.localdate(first)
        if after["starts_on"] > day:
            problems.append(
                (
                    "starts_on",
                    _("A case joined this programme on %(day)s: the programme cannot start after that day.")
                    % {"day": date_format(day, "DATE_FORMAT")},
                )
            )
    if after["ends_on"] and after["ends_on"] != programme.ends_on and (last := joined.last()) is not None:
        day = timezone.localdate(last)
        if after["ends_on"] < day:
            problems.append(
                (
                    "ends_on",
                    _("A case joined this programme on %(day)s: the programme cannot end before that day.")
                    % {"day": date_format(day, "DATE_FORMAT")},
                )
            )
    for field, column in (("host_countries", "host_country"), ("origin_countries", "origin_country")):
        dropped = set(getattr(programme, field)) - set(after[field])
        if not dropped or not after[field]:  # no country given: the field says so already
            continue
        held = sorted(set(cases.filter(**{f"{column}__in": dropped}).values_list(column, flat=True)))
        if held:
            problems.append(
                (
                    field,
                    _("Cases of this programme are in %(countries)s: keep those countries.")
                    % {"countries": list_separator().join(country_name(c) for c in held)},
                )
            )
    return problems


def _acting_grant_org(
    actor: Any, organisation: Organisation, perm: Perm, country: str, problems: Problems
) -> None:
    """The actor may act for `organisation` in `country`. Whether a grant covers a country
    can only be asked of a real one: an unknown code is a refusal naming the field (422),
    not a missing permission (403)."""
    if is_system(actor):  # imports and set-up register on an organisation's behalf
        return
    if not is_country(country):
        problems.raise_if_any()
    if not any(g.organisation_id == organisation.pk and g.covers(country) for g in grants_with(actor, perm)):
        raise PermissionDenied()


def _works_cases_for(actor: Any, organisation: Organisation, country: str) -> bool:
    """The actor is a person who edits the organisation's cases in `country` (a counsellor,
    a case worker), not an import or an administrator registering on someone's behalf."""
    if is_system(actor):
        return False
    return any(
        g.organisation_id == organisation.pk and g.covers(country) for g in grants_with(actor, Perm.CASE_EDIT)
    )


def register_case(
    actor: Any,
    organisation: Organisation,
    *,
    programme: Programme,
    category: MigrantCategory,
    host_country: str,
    origin_country: str,
    person: PersonData,
    vulnerabilities: Iterable[Vulnerability] = (),
    intended_return_date: dt.date | None = None,
    reference: str | None = None,
    members: Sequence[MemberData] = (),
    check_twins: bool = False,
) -> Case:
    """A host-country office registers a migrant, with the household members returning
    with them; only that office sees the case until it is submitted to a partner.
    `check_twins`: refuse (Duplicate on `confirm_duplicate`) if the office registered a case
    for the same person lately (`_refuse_twin`); the registration page asks it."""
    host, origin = host_country.upper(), origin_country.upper()
    problems = Problems()
    check_person(problems, person)
    check_members(problems, list(members), person)
    _check_case(problems, programme, category, host, origin)
    _check_category_age(problems, category, person)
    _check_vulnerability_age(problems, vulnerabilities, person)
    _check_programme_open(problems, programme, intended_return_date)
    problems.check(field_rules.CASE, {"reference": reference})
    check_intended_return(problems, intended_return_date)
    _acting_grant_org(actor, organisation, Perm.CASE_REGISTER, host, problems)
    problems.raise_if_any()
    return _create_case(
        actor,
        organisation,
        check_twins=check_twins,
        programme=programme,
        category=category,
        host=host,
        origin=origin,
        person=person,
        vulnerabilities=vulnerabilities,
        intended_return_date=intended_return_date,
        reference=reference,
        return_type=ReturnType.AVR,
        stage=Stage.REGISTERED,
        members=members,
    )


def open_post_arrival_case(
    actor: Any,
    organisation: Organisation,
    *,
    programme: Programme,
    category: MigrantCategory,
    host_country: str,
    origin_country: str,
    arrival_date: dt.date,
    person: PersonData,
    vulnerabilities: Iterable[Vulnerability] = (),
    members: Sequence[MemberData] = (),
    check_twins: bool = False,
) -> Case:
    """A reintegration partner opens a case for a returnee who never met a host-country
    counsellor. The programme's host-side coordinator is given access to confirm it.
    `check_twins`: as for `register_case`."""
    host, origin = host_country.upper(), origin_country.upper()
    problems = Problems()
    check_person(problems, person)
    check_members(problems, list(members), person)
    _check_case(problems, programme, category, host, origin)
    _check_category_age(problems, category, person)
    _check_vulnerability_age(problems, vulnerabilities, person)
    _check_programme_open(problems, programme)
    problems.check(field_rules.CASE, {"arrival_date": arrival_date})
    coordinators = list(partners_in(programme, PartnerRole.HOST_COORDINATOR, host)) if host else []
    # A host country the programme does not cover is said once, above, not twice.
    covered = not programme.host_countries or host in programme.host_countries
    if host and covered and not coordinators:
        problems.add(
            "host_country",
            _("Programme %(code)s has no host-side coordinator for %(country)s.")
            % {"code": programme.name, "country": country_name(host)},
        )
    _acting_grant_org(actor, organisation, Perm.CASE_OPEN_POST_ARRIVAL, origin, problems)
    problems.raise_if_any()
    case = _create_case(
        actor,
        organisation,
        check_twins=check_twins,
        programme=programme,
        category=category,
        host=host,
        origin=origin,
        person=person,
        vulnerabilities=vulnerabilities,
        intended_return_date=None,
        reference=None,
        return_type=ReturnType.POST_ARRIVAL,
        stage=Stage.RETURNED,
        arrival_date=arrival_date,
        post_arrival_status=PostArrivalStatus.PENDING,
        extra_access=coordinators,
        members=members,
    )
    return case


def _refuse_twin(organisation: Organisation, person: PersonData) -> None:
    """A case the office registered for someone who may be the same person (an identity
    document with the same number; or the same sex, birth and a name in common, as
    principal applicant or household member, the names in either order or as another
    spelling: `queries.possible_twin`) is most often the same registration sent twice, typed
    twice by two colleagues, or a returnee registered before: said before a second case is
    made, naming the first; the person decides. (Only the last 30 days' principals, by
    exact names, were compared: a returnee still in monitoring was registered again.)"""
    from remis.cases.queries import possible_twin

    twin = possible_twin(organisation, person)
    if twin is None:
        return
    case, why = twin
    day = date_format(timezone.localtime(case.registered_at).date(), "SHORT_DATE_FORMAT")
    if why == "document":
        message = _(
            "%(reference)s, registered on %(day)s, holds an identity document with the same number. "
            "If this is another person, confirm that it is and send again."
        )
    elif why == "person_near":
        message = _(
            "%(reference)s, registered on %(day)s, is for a person with the same name and sex, born "
            "about the same year or with no birth recorded on one side. If this is another person, "
            "confirm that it is and send again."
        )
    elif why == "person_alike_near":
        message = _(
            "%(reference)s, registered on %(day)s, is for a person of the same sex whose name is "
            "said alike, spelt otherwise, born about the same year or with no birth recorded on one "
            "side. If this is another person, confirm that it is and send again."
        )
    elif why == "person_alike":
        message = _(
            "%(reference)s, registered on %(day)s, is for a person of the same sex and birth whose "
            "name is said alike, spelt otherwise. If this is another person, confirm that it is and "
            "send again."
        )
    else:
        message = _(
            "%(reference)s, registered on %(day)s, is for a person with the same name, sex and "
            "birth. If this is another person, confirm that it is and send again."
        )
    raise Duplicate(
        message % {"reference": case.reference, "day": day}, "confirm_duplicate", existing=case.uuid
    )


def _create_case(
    actor: Any,
    organisation: Organisation,
    *,
    programme: Programme,
    category: MigrantCategory,
    host: str,
    origin: str,
    person: PersonData,
    vulnerabilities: Iterable[Vulnerability],
    intended_return_date: dt.date | None,
    reference: str | None,
    return_type: ReturnType,
    stage: Stage,
    arrival_date: dt.date | None = None,
    post_arrival_status: PostArrivalStatus = PostArrivalStatus.NOT_APPLICABLE,
    extra_access: Iterable[Organisation] = (),
    members: Sequence[MemberData] = (),
    check_twins: bool = False,
) -> Case:
    if reference and Case.objects.filter(reference=reference).exists():
        raise Duplicate(
            _("The reference %(reference)s is already used by another case.") % {"reference": reference},
            "reference",
        )
    try:
        with transaction.atomic():
            if check_twins:
                # Under the office's lock: the same registration sent three times at once read
                # no twin three times and made three cases.
                Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
                for someone in (person, *(member.person for member in members)):
                    _refuse_twin(organisation, someone)  # a spouse already on another case too
            case_uuid = uuid.uuid4()  # the person's audit entry is scoped to the case
            principal = _create_person(actor, person, case_uuid)
            case = Case.objects.create(
                uuid=case_uuid,
                reference=reference or next_reference(origin, timezone.now().year),
                programme=programme,
                category=category,
                return_type=return_type,
                principal=principal,
                host_country=host,
                origin_country=origin,
                stage=stage,
                registering_organisation=organisation,
                intended_return_date=intended_return_date,
                arrival_date=arrival_date,
                post_arrival_status=post_arrival_status,
            )
            case.vulnerabilities.set(list(vulnerabilities))
            if _works_cases_for(actor, organisation, host if stage == Stage.REGISTERED else origin):
                # Whoever registers a case works on it, as in Primero, where the creator owns
                # the record: it is in their "My cases" until someone reassigns it.
                case.assigned_workers.set([actor])
            CaseMember.objects.create(case=case, person=principal, relation=Relation.PRINCIPAL)
            for member in members:
                relative = _create_person(actor, member.person, case.uuid)
                joined = CaseMember.objects.create(case=case, person=relative, relation=member.relation)
                # Their place in the household, as for a member added later (the history
                # named the person, not their relation to the principal applicant).
                record(
                    actor,
                    "case.add_member",
                    joined,
                    case_uuid=case.uuid,
                    changes={"person": [None, relative.pk], "relation": [None, member.relation]},
                )
            if members:
                case.household_size = 1 + len(members)
                Case.objects.filter(pk=case.pk).update(household_size=case.household_size)
            listed = listing_values(case)
            CaseAccess.objects.create(
                case=case, organisation=organisation, reason=AccessReason.REGISTERED, **listed
            )
            for other in extra_access:
                if other.pk != organisation.pk:
                    CaseAccess.objects.create(
                        case=case, organisation=other, reason=AccessReason.COORDINATOR, **listed
                    )
            Transition.objects.create(case=case, from_stage="", to_stage=stage, by=actor if actor else None)
            run_stage_hooks(actor, case, stage)
            refresh_search_text(case)
            record(
                actor,
                "case.register",
                case,
                case_uuid=case.uuid,
                organisation_id=organisation.pk,
                changes=created(case, CASE_FIELDS),
            )
            events.emit(
                CaseRegistered(
                    case_id=case.pk,
                    case_uuid=case.uuid,
                    programme_id=programme.pk,
                    stage=str(stage),
                    return_type=str(return_type),
                    arrival_date=arrival_date,
                )
            )
    except IntegrityError as exc:  # a concurrent registration took the same reference
        raise Duplicate(_("The reference is already used by another case."), "reference") from exc
    return case


def confirm_post_arrival_case(actor: Any, case: Case) -> None:
    require(actor, case, Perm.CASE_CONFIRM_POST_ARRIVAL)
    if not can_change(POST_ARRIVAL_TRANSITIONS, case.post_arrival_status, PostArrivalStatus.CONFIRMED):
        raise ValidationFailed(_("This case is not awaiting confirmation."), "post_arrival_status")
    with transaction.atomic():
        case.post_arrival_status = PostArrivalStatus.CONFIRMED
        save_versioned(case, None, ["post_arrival_status"])
        record(
            actor,
            "case.confirm_post_arrival",
            case,
            case_uuid=case.uuid,
            changes={"post_arrival_status": [PostArrivalStatus.PENDING, PostArrivalStatus.CONFIRMED]},
        )


def _require_member(case: Case, person: Person) -> None:
    """Refuse a person who is not of the case, saying so if they were erased meanwhile: an
    erasure of a person recorded in error takes them out of the household, and a page read
    before it was told "not covered by the case" instead of what happened."""
    if case.members.filter(person=person).exists():
        return
    if Person.objects.filter(pk=person.pk, erased_at__isnull=False).exists():
        raise _erased()
    raise ValidationFailed(_("This person is not covered by the case."), "person")


def _erased() -> TransitionRefused:
    return TransitionRefused(
        _("This person's data has been erased: nothing can be written back in its place."), "person"
    )


def _check_household_with(problems: Problems, case: Case, person: Person, data: PersonData) -> None:
    """What adding a member checks, for an edit of one: their birth against the relations
    (theirs to the principal, or the principal's to every member), a principal under 18 in
    the unaccompanied child category, and a member edited into another one's twin. Only
    what the edit changes: a household recorded otherwise before is not made unsaveable."""
    members = [m for m in case.members.select_related("person") if m.person.erased_at is None]
    own = next((m for m in members if m.person_id == person.pk), None)
    born = (data.date_of_birth, data.birth_year_estimated)
    if own is not None and born != (person.date_of_birth, person.birth_year_estimated):
        if own.relation == Relation.PRINCIPAL:
            year = birth_year(data)
            for member in members:
                if member is own:
                    continue
                message = relation_age_problem(member.relation, PersonData.from_person(member.person), year)
                if message:
                    problems.add("date_of_birth", message)
                    break
            _check_category_age(problems, case.category, data, field="date_of_birth")
        else:
            principal = next((m.person for m in members if m.relation == Relation.PRINCIPAL), None)
            message = relation_age_problem(own.relation, data, birth_year(principal)) if principal else None
            if message:
                problems.add("date_of_birth", message)
    identity = ("given_name", "family_name", "sex", "date_of_birth", "birth_year_estimated")
    if any(getattr(data, name) != getattr(person, name) for name in identity):
        if any(same_person(data, m.person) for m in members if m.person_id != person.pk):
            problems.add(
                "given_name", _("This person is already in the household (same name, sex and birth).")
            )


def update_person(actor: Any, case: Case, person: Person, data: PersonData, expected_version: int) -> Person:
    require(actor, case, Perm.CASE_EDIT)
    _require_member(case, person)
    if person.erased_at is not None:
        # Said first: checked after the fields, an erased person's blank names were refused
        # as "Enter the family name" to a client changing only a phone number.
        raise _erased()
    problems = Problems()
    check_person(problems, data)
    _check_household_with(problems, case, person, data)
    problems.raise_if_any()
    with transaction.atomic():
        # The case row first, the order every case action follows (the search text below
        # writes it): the retention job locks the case, then erases its persons, and taking
        # the person first deadlocked with it on PostgreSQL.
        hold_case(case)
        # Read under lock: an erasure approved meanwhile must not be written over.
        erased = Person.objects.select_for_update().filter(pk=person.pk).values_list("erased_at", flat=True)
        if erased.first() is not None:
            raise _erased()
        changes = apply_changes(person, data.model_fields(), PERSON_FIELDS, expected_version)
        if not changes:
            return person
        refresh_search_text(case)
        record(actor, "person.update", person, case_uuid=case.uuid, changes=changes)
        events.emit(PersonUpdated(person_id=person.pk, case_id=case.pk, fields=tuple(changes)))
    return person


def add_household_member(actor: Any, case: Case, data: PersonData, relation: str) -> CaseMember:
    require(actor, case, Perm.CASE_EDIT)
    problems = Problems()
    check_person(problems, data)
    if data.documents and withheld(groups_on_case(actor, case), "cases.identitydocument"):
        # As adding one later (`document_writer`): documents are written and read only by
        # holders of their group.
        problems.add(
            "documents", _("Only holders of the identity documents group record identity documents.")
        )
    if relation not in Relation.values or relation == Relation.PRINCIPAL:
        problems.add("relation", _("Choose how this person is related to the principal applicant."))
    principal = case.principal
    if principal is not None and principal.erased_at is None:
        message = relation_age_problem(relation, data, birth_year(principal))
        if message:
            problems.add("relation", message)
    problems.raise_if_any()
    with transaction.atomic():
        # The case row first, then the audit log's append lock (taken by recording the
        # person), the order every case action follows: no deadlock on PostgreSQL.
        hold_case(case)
        sent_once(actor, "case.member", [case.pk, relation, repr(data)], "given_name")
        # The household as the page showed it (the write below checks it again): someone
        # else's addition meanwhile is a conflict, not "already in the household".
        check_version(case, case.version)
        # After the check for the same form sent twice (Back, then the button), which says so.
        members = case.members.select_related("person")
        if any(same_person(data, m.person) for m in members if m.person.erased_at is None):
            raise ValidationFailed(
                _("This person is already in the household (same name, sex and birth)."), "given_name"
            )
        person = _create_person(actor, data, case.uuid)
        member = CaseMember.objects.create(case=case, person=person, relation=relation)
        case.household_size = case.members.count()
        save_versioned(case, None, ["household_size"])
        refresh_search_text(case)
        record(
            actor,
            "case.add_member",
            member,
            case_uuid=case.uuid,
            changes={"person": [None, person.pk], "relation": [None, relation]},
        )
    return member


def change_relation(
    actor: Any, case: Case, person: Person, relation: str, data: PersonData | None = None
) -> CaseMember:
    """Correct how a household member is related to the principal applicant (a sibling
    entered as a child): the relation could not be changed once added."""
    require(actor, case, Perm.CASE_EDIT)
    member = case.members.filter(person=person).exclude(relation=Relation.PRINCIPAL).first()
    if member is None:
        raise ValidationFailed(_("This person is not a household member of the case."), "person")
    problems = Problems()
    if relation not in Relation.values or relation == Relation.PRINCIPAL:
        problems.add("relation", _("Choose how this person is related to the principal applicant."))
    principal = case.principal
    if principal is not None and principal.erased_at is None and person.erased_at is None:
        # Against the details being saved with it, if any (a date of birth corrected too).
        message = relation_age_problem(
            relation, data or PersonData.from_person(person), birth_year(principal)
        )
        if message:
            problems.add("relation", message)
    problems.raise_if_any()
    if member.relation == relation:
        return member  # saved untouched
    with transaction.atomic():
        hold_case(case)
        member.refresh_from_db()
        before = member.relation
        member.relation = relation
        member.save(update_fields=["relation"])
        record(
            actor, "case.change_member", member, case_uuid=case.uuid, changes={"relation": [before, relation]}
        )
    return member


def update_member(
    actor: Any, case: Case, person: Person, data: PersonData, relation: str, expected_version: int
) -> Person:
    """A household member's details and relation, saved together from the case page (both
    or neither: a relation refused leaves the details as they were)."""
    with transaction.atomic():
        hold_case(case)
        # The version read under the case's lock: the relation is not a field of the person,
        # so a correction of it alone was written over by a second one from the same read.
        stored = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
        if stored != expected_version:
            raise Conflict()
        before = case.members.filter(person=person).values_list("relation", flat=True).first()
        change_relation(actor, case, person, relation, data)
        person = update_person(actor, case, person, data, expected_version)
        if before != relation and person.version == expected_version:
            save_versioned(person, expected_version, [])  # the relation alone moves the version too
        return person


def update_case_details(
    actor: Any,
    case: Case,
    *,
    expected_version: int,
    category: MigrantCategory | None,
    vulnerabilities: Iterable[Vulnerability],
    intended_return_date: dt.date | None,
    assigned_workers: Iterable[Any],
) -> Case:
    """Change the case's details. Sensitive items the actor does not see (their group is
    not held on this case) were never offered to them: those recorded stay, and the actor
    cannot add one. `category` None keeps the current one (left out of the actor's form
    when it is in a group they do not hold)."""
    require(actor, case, Perm.CASE_EDIT)
    groups = groups_on_case(actor, case)
    problems = Problems()
    if category is None:
        category = case.category
    elif category != case.category and not (
        shows(groups, category.sensitive_group) and shows(groups, case.category.sensitive_group)
    ):
        problems.add("category", _("Choose a migrant category from the list."))
    vulnerabilities = list(vulnerabilities)
    if any(not shows(groups, v.sensitive_group) for v in vulnerabilities):
        problems.add("vulnerabilities", _("Choose vulnerabilities from the list."))
    recorded = {v.pk for v in case.vulnerabilities.all()}
    # Only what this edit adds: a child registered at 17 and now 18 kept the vulnerability,
    # and every later change of the list (or confirming an assessment's flag) was refused.
    _check_vulnerability_age(problems, [v for v in vulnerabilities if v.pk not in recorded], case.principal)
    vulnerabilities += [v for v in case.vulnerabilities.all() if not shows(groups, v.sensitive_group)]
    # Only what this edit changes is checked against the programme as it is now: a
    # programme narrowed since (another category, other countries) left its cases unsaveable,
    # refused for countries this form does not even show.
    if category != case.category:
        _check_eligible(problems, case.programme, category)
        # As at registration: an adult moved into the unaccompanied child category counted
        # as a child in its figures and called for the child-protection steps.
        if case.principal is not None and case.principal.erased_at is None:
            _check_category_age(problems, category, case.principal)
    problems.check(field_rules.CASE, {"intended_return_date": intended_return_date})
    # Each organisation assigns its own people: those another organisation assigned stay
    # whatever is sent (a partner unticked the host office's counsellor, who lost the case
    # from their list without a word), as the vulnerabilities the actor does not see do.
    ours = colleague_ids(actor)
    theirs = [w for w in case.assigned_workers.all() if w.pk not in ours]
    sent = list(assigned_workers)
    allowed = set(assignable_workers(case).values_list("pk", flat=True))
    outsiders = [w for w in sent if w.pk not in allowed]
    if outsiders:
        problems.add(
            "assigned_workers", _("Case workers must belong to an organisation with access to the case.")
        )
    elif any(w.pk not in ours and w not in theirs for w in sent):
        problems.add(
            "assigned_workers",
            _("Choose case workers of your own organisation: each organisation assigns its own."),
        )
    workers = [w for w in sent if w.pk in ours] + theirs
    problems.raise_if_any()
    fields = ["category", "intended_return_date", "vulnerabilities", "assigned_workers"]
    wanted = {
        "category": category.pk,
        "intended_return_date": intended_return_date,
        "vulnerabilities": sorted(v.pk for v in vulnerabilities),
        "assigned_workers": sorted(w.pk for w in workers),
    }
    check_version(case, expected_version)
    with transaction.atomic():
        changes = diff(snapshot(case, fields), wanted)
        if not changes:
            return case  # saved untouched: no new version, no audit entry
        case.category = category
        case.intended_return_date = intended_return_date
        # The version moves even when only the lists changed, so a concurrent edit of
        # them is caught too.
        save_versioned(case, expected_version, ["category", "intended_return_date"])
        case.vulnerabilities.set(list(vulnerabilities))
        case.assigned_workers.set(workers)
        record(actor, "case.update", case, case_uuid=case.uuid, changes=changes)
    return case
