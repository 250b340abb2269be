"""Domain validation of person and case data, collecting every problem at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from remis.cases import fields as field_rules
from remis.cases.models import DocumentKind, Sex
from remis.lib.countries import is_country
from remis.lib.dates import birth_year
from remis.lib.errors import ValidationFailed
from remis.lib.fields import Rule, check_values


@dataclass
class IdentityDocumentData:
    kind: str
    number: str
    issuing_country: str = ""
    expires_on: dt.date | None = None


PERSON_VALUE_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "birth_year_estimated",
    "nationality",
    "alternate_names",
    "phone",
    "email",
    "address",
)


@dataclass
class PersonData:
    given_name: str
    family_name: str
    sex: str = Sex.UNKNOWN
    date_of_birth: dt.date | None = None
    birth_year_estimated: int | None = None
    nationality: str = ""
    alternate_names: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    documents: list[IdentityDocumentData] = field(default_factory=list)

    @classmethod
    def from_person(cls, person: Any) -> PersonData:
        """A person's current values, as a starting point for a partial edit."""
        return cls(**{name: getattr(person, name) for name in PERSON_VALUE_FIELDS})

    def model_fields(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name.strip(),
            "family_name": self.family_name.strip(),
            "sex": self.sex,
            "date_of_birth": self.date_of_birth,
            "birth_year_estimated": self.birth_year_estimated,
            "nationality": self.nationality.upper(),
            "alternate_names": self.alternate_names.strip(),
            "phone": self.phone.strip(),
            "email": self.email.strip(),
            "address": self.address.strip(),
        }


class Problems:
    """Collects (field, message) pairs and raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, field_name: str | None, message: str) -> None:
        self.items.append((field_name, message))

    def country(self, field_name: str, code: str, *, required: bool = True, written: str = "") -> None:
        """`written`: the value as the reader wrote it, quoted when refused (else `code`)."""
        if not code:
            if required:
                self.add(field_name, _("This field is required."))
        elif not is_country(code):
            self.add(field_name, _("“%(code)s” is not an ISO 3166 country code.") % {"code": written or code})

    def check(self, rules: dict[str, Rule], values: dict[str, Any], prefix: str = "") -> None:
        """Every value against its declared rule (length, plausible range, syntax)."""
        for field_name, message in check_values(rules, values, timezone.localdate(), prefix):
            self.add(field_name, message)

    def raise_if_any(self) -> None:
        if self.items:
            field_name, message = self.items[0]
            raise ValidationFailed(message, field_name, errors=self.items)


def check_fields(rules: dict[str, Rule], **values: Any) -> None:
    """Refuse values outside their declared rules, naming each field at fault."""
    problems = Problems()
    problems.check(rules, values)
    problems.raise_if_any()


def check_person(problems: Problems, person: PersonData, prefix: str = "") -> None:
    problems.check(field_rules.PERSON, person.model_fields(), prefix)
    if not person.given_name.strip():
        problems.add(f"{prefix}given_name", _("Enter the given name."))
    if not person.family_name.strip():
        problems.add(f"{prefix}family_name", _("Enter the family name."))
    if person.sex not in Sex.values:
        # The codes said, as a closure reason's are: "Female" in a file left the right code unsaid.
        problems.add(
            f"{prefix}sex",
            _("“%(sex)s” is not a valid sex: give one of %(codes)s.")
            % {"sex": person.sex, "codes": ", ".join(Sex.values)},
        )
    problems.country(f"{prefix}nationality", person.nationality, required=False)
    born, year = person.date_of_birth, person.birth_year_estimated
    if born and year and born.year != year:
        # Both were stored and exported, contradicting each other, and the age depended on which was read.
        problems.add(
            f"{prefix}birth_year_estimated",
            _("The estimated year of birth is not the year of the date of birth: keep one of them."),
        )
    for i, doc in enumerate(person.documents):
        check_document(problems, doc, f"{prefix}documents[{i}].")


def check_document(problems: Problems, doc: IdentityDocumentData, prefix: str = "") -> None:
    if doc.kind not in DocumentKind.values:
        problems.add(f"{prefix}kind", _("“%(kind)s” is not a document type.") % {"kind": doc.kind})
    if not doc.number.strip():
        problems.add(f"{prefix}number", _("Enter the document number."))
    document = {"number": doc.number.strip(), "expires_on": doc.expires_on}
    problems.check(field_rules.DOCUMENT, document, prefix)
    problems.country(f"{prefix}issuing_country", doc.issuing_country, required=False)


@dataclass
class MemberData:
    """A household member registered with the case: who, and how related to the principal."""

    person: PersonData
    relation: str


def check_members(problems: Problems, members: list[MemberData], principal: PersonData | None = None) -> None:
    from remis.cases.models import Relation

    born = birth_year(principal) if principal is not None else None
    for i, member in enumerate(members):
        check_person(problems, member.person, prefix=f"members[{i}].")
        if member.relation not in Relation.values or member.relation == Relation.PRINCIPAL:
            problems.add(
                f"members[{i}].relation", _("Choose how this person is related to the principal applicant.")
            )
            continue
        message = relation_age_problem(member.relation, member.person, born)
        if message:
            problems.add(f"members[{i}].relation", message)
    _same_person_twice(problems, members, principal)


def _same_person_twice(problems: Problems, members: list[MemberData], principal: PersonData | None) -> None:
    """The principal applicant again as a member, or one member twice (same name, sex and
    birth): the household counted a person twice, in every statistic."""
    from remis.cases.queries import same_person

    for i, member in enumerate(members):
        if principal is not None and same_person(member.person, principal):
            problems.add(
                f"members[{i}].given_name",
                _("This is the principal applicant again (same name, sex and birth): list each person once."),
            )
            continue
        earlier = next((j for j in range(i) if same_person(member.person, members[j].person)), None)
        if earlier is not None:
            problems.add(
                f"members[{i}].given_name",
                _(
                    "This is household member %(number)s again (same name, sex and birth): "
                    "list each person once."
                )
                % {"number": earlier + 1},
            )


def relation_age_problem(relation: str, person: PersonData, principal_year: int | None) -> str | None:
    """A child born before the applicant (1900 and 1901) or a parent after them went through:
    either the dates or the relation are wrong, and statistics by age read both."""
    from remis.cases.models import Relation

    year = birth_year(person)
    if principal_year is None or year is None:
        return None
    if relation == Relation.CHILD and year < principal_year:
        return str(
            _("A child born before the principal applicant: check the dates of birth or the relation.")
        )
    if relation == Relation.PARENT and year > principal_year:
        return str(
            _("A parent born after the principal applicant: check the dates of birth or the relation.")
        )
    return None


def check_intended_return(problems: Problems, day: dt.date | None) -> None:
    """A new case's intended return date: a plan, so not more than a year past (one
    message, not that and the field's wider bound beside it), nor beyond the field's rule."""
    if day is None:
        return
    if day < timezone.localdate() - dt.timedelta(days=365):
        problems.add("intended_return_date", _("The intended return date is more than a year in the past."))
    else:
        problems.check(field_rules.CASE, {"intended_return_date": day})
