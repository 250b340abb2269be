"""Forms for the case pages: they parse and reject malformed input; actions decide the rest."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.accounts.forms import UserChoiceField, UserMultipleChoiceField
from remis.accounts.models import Organisation, User
from remis.accounts.permissions import GROUP_CHOICES
from remis.cases import fields as rules
from remis.cases.actions.validation import Problems, check_intended_return
from remis.cases.lifecycle import ClosureReason, Stage
from remis.cases.models import (
    ConsentPurpose,
    CounsellingMode,
    DocumentKind,
    ErasureReason,
    Escort,
    Fitness,
    NeedKind,
    Relation,
    Sex,
)
from remis.cases.policy import category_stand_in
from remis.cases.queries import SORTS
from remis.lib.countries import country_choices, country_name, named_countries
from remis.lib.fields import max_length
from remis.lib.forms import RowsChoiceField, RuleCheckedForm
from remis.lib.money import AmountField
from remis.lib.posted import posted_id
from remis.lib.text import latin_digits
from remis.lib.widgets import FastSelect, IsoDateInput, Textarea
from remis.programmes.models import MigrantCategory, Programme, Vulnerability
from remis.programmes.queries import programme_countries, programmes_covering


def _countries(blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *country_choices()]


NOT_FOR_HEALTH = _(
    "Every reader of the case sees these notes: keep health details for the fields made for them."
)


class PersonForm(RuleCheckedForm):
    value_rules = (rules.PERSON,)

    given_name = forms.CharField(label=_("Given name"), max_length=max_length(rules.PERSON, "given_name"))
    family_name = forms.CharField(label=_("Family name"), max_length=max_length(rules.PERSON, "family_name"))
    alternate_names = forms.CharField(
        label=_("Alternate spellings"),
        required=False,
        max_length=max_length(rules.PERSON, "alternate_names"),
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("One per line, as met on documents or in transliteration."),
    )
    # No default: a pre-selected sex is saved unnoticed when the form is filled in a hurry.
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices])
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=IsoDateInput)
    birth_year_estimated = forms.IntegerField(
        label=_("Estimated year of birth"), required=False, help_text=_("When the exact date is unknown.")
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_countries, required=False, widget=FastSelect
    )
    # A number reads left to right in every language: in Arabic, "+224 620 11 22 33" would
    # otherwise be laid out as "33 22 11 620 224+".
    phone = forms.CharField(
        label=_("Phone"),
        max_length=max_length(rules.PERSON, "phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=max_length(rules.PERSON, "email"), required=False)
    address = forms.CharField(
        label=_("Address in the country of origin"),
        required=False,
        max_length=max_length(rules.PERSON, "address"),
        widget=Textarea(attrs={"rows": 2}),
    )

    def clean_phone(self) -> str:
        return latin_digits(self.cleaned_data.get("phone") or "")

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        return born


class IdentityDocumentForm(forms.Form):
    document_kind = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *DocumentKind.choices], required=False
    )
    document_number = forms.CharField(
        label=_("Document number"), max_length=max_length(rules.DOCUMENT, "number"), required=False
    )
    document_country = forms.ChoiceField(
        label=_("Issuing country"), choices=_countries, required=False, widget=FastSelect
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("document_kind") and not data.get("document_number"):
            self.add_error("document_number", _("Enter the document number."))
        if data.get("document_number") and not data.get("document_kind"):
            self.add_error("document_kind", _("Choose the document type."))
        return data


class RegisterCaseForm(PersonForm, IdentityDocumentForm):
    organisation = forms.ModelChoiceField(
        label=_("Registering organisation"), queryset=Organisation.objects.none(), empty_label="—"
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(active=True), empty_label="—"
    )
    category = forms.ModelChoiceField(
        label=_("Migrant category"), queryset=MigrantCategory.objects.filter(active=True), empty_label="—"
    )
    host_country = forms.ChoiceField(label=_("Host country"), choices=_countries, widget=FastSelect)
    origin_country = forms.ChoiceField(label=_("Country of origin"), choices=_countries, widget=FastSelect)
    vulnerabilities = RowsChoiceField(
        label=_("Vulnerabilities"),
        queryset=Vulnerability.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intended_return_date = forms.DateField(
        label=_("Intended return date"), required=False, widget=IsoDateInput
    )
    # Drawn as a box to tick only once a case for the same person was found (the view
    # makes it one): registering a second case for them is then a choice, not an accident.
    confirm_duplicate = forms.BooleanField(
        label=_("Register it anyway"), required=False, widget=forms.HiddenInput
    )

    field_order = ["organisation", "programme", "category", "host_country", "origin_country"]

    def ask_to_confirm_duplicate(self) -> None:
        """Draw the box to tick, the error about the case found beside it."""
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()

    def clean_intended_return_date(self) -> Any:
        day = self.cleaned_data.get("intended_return_date")
        problems = Problems()
        check_intended_return(problems, day)
        if problems.items:
            raise forms.ValidationError(problems.items[0][1])
        return day

    # The side of the route the registering office works on: its countries decide which
    # programmes and which countries the form offers.
    office_side = "host"

    def __init__(
        self,
        *args: Any,
        organisations: Any = None,
        countries: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`countries`: those the user's memberships cover on the office's side (None: all)."""
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations if organisations is not None else Organisation.objects.none()
        if organisations is not None and organisations.count() == 1:
            field.initial = organisations.first()
        # Only programmes that cover the office's countries: choosing another one would fail.
        programmes = programmes_covering(countries, side=self.office_side)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ModelChoiceField)
        programme.queryset = programmes
        if len(programmes) == 1:
            programme.initial = programmes[0]
        office_country = self.fields[f"{self.office_side}_country"]
        assert isinstance(office_country, forms.ChoiceField)
        if countries is not None:
            office_country.choices = [
                ("", "—"),
                *sorted(((c, country_name(c)) for c in countries), key=lambda pair: pair[1]),
            ]
            if len(countries) == 1:
                office_country.initial = next(iter(countries))

    @property
    def other_side(self) -> str:
        return "origin" if self.office_side == "host" else "host"

    def narrow_to_programme(self) -> None:
        """Offer only what the programme chosen takes: its eligible categories (when it
        names some) and its countries on the other side of the route (every category and
        country was offered, refused only once sent): when the form opens on the office's
        one programme, and when it comes back refused. For drawing, after any check: a
        value the programme refuses is still named by the action's own words. (Not redrawn
        while a programme is chosen: a list replaced under the person's hand lost the
        choice just made in it.)"""
        chosen = self.data.get("programme") if self.is_bound else self.fields["programme"].initial
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        wanted = str(getattr(chosen, "pk", chosen) or "")
        programme = next((p for p in (field.queryset or ()) if str(p.pk) == wanted), None) if wanted else None
        if programme is None:
            return
        eligible = list(programme.eligible_categories.filter(active=True))
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        if eligible:
            category.queryset = MigrantCategory.objects.filter(pk__in=[c.pk for c in eligible])
        codes = programme.origin_countries if self.other_side == "origin" else programme.host_countries
        other = self.fields[f"{self.other_side}_country"]
        assert isinstance(other, forms.ChoiceField)
        if codes:
            other.choices = [("", "—"), *named_countries(set(codes))]


class PostArrivalCaseForm(RegisterCaseForm):
    office_side = "origin"
    arrival_date = forms.DateField(label=_("Arrival date"), widget=IsoDateInput)
    intended_return_date = None  # type: ignore[assignment]

    def clean_arrival_date(self) -> Any:
        arrival = self.cleaned_data.get("arrival_date")
        if arrival and arrival > timezone.localdate():
            raise forms.ValidationError(_("The arrival date is in the future."))
        return arrival


class CaseFilterForm(forms.Form):
    """The case list's search, filters and sort. Sent by POST so the name searched for
    never lands in a URL or an access log."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, reference or document number")}),
    )
    similar = forms.BooleanField(
        label=_("Similar spellings"),
        required=False,
        help_text=_("Also find names written otherwise but said alike: Mouhamed finds Mohamed and Muhammad."),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", _("All stages")), ("open", _("Open: every stage but closed")), *Stage.choices],
        required=False,
        widget=FastSelect,
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=FastSelect)
    host_country = forms.ChoiceField(
        label=_("Host country"), choices=lambda: _countries(str(_("All"))), required=False, widget=FastSelect
    )
    origin_country = forms.ChoiceField(
        label=_("Country of origin"),
        choices=lambda: _countries(str(_("All"))),
        required=False,
        widget=FastSelect,
    )
    organisation = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=pgettext_lazy("organisations", "All"),  # French: "Toutes"
    )
    worker = UserChoiceField(
        widget=FastSelect,
        label=_("Case worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    arrived_from = forms.DateField(label=_("Arrived from"), required=False, widget=IsoDateInput)
    arrived_to = forms.DateField(label=_("Arrived until"), required=False, widget=IsoDateInput)
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("Sort"),
        required=False,
        choices=[
            ("-registered", _("Newest registration")),
            ("registered", _("Oldest registration")),
            ("-arrival", _("Latest arrival")),
            ("arrival", _("Earliest arrival (not yet arrived first)")),
            ("reference", _("Reference")),
            ("-reference", _("Reference, latest first")),  # as the API sorts ("-reference")
            ("stage", _("Stage")),
        ],
    )
    # A page number edited into the address (page=abc, page=0) shows the first page: it was a
    # filter error, in English, in place of the list.
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        workers: Any = None,
        groups: frozenset[str] = frozenset(),
        organisations: Any = None,
        countries: frozenset[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            organisation = self.fields["organisation"]
            assert isinstance(organisation, forms.ModelChoiceField)
            organisation.queryset = organisations
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        # Categories in a sensitive group (victim of trafficking) only for its holders.
        categories = MigrantCategory.objects.filter(
            Q(sensitive_group="") | Q(sensitive_group__in=sorted(groups))
        )
        category.choices = [("", _("All categories")), *((c.code, c.label) for c in categories)]
        worker = self.fields["worker"]
        assert isinstance(worker, forms.ModelChoiceField)
        if workers is not None:
            worker.queryset = workers
        # Only the countries programmes cover, and of those the ones the reader's cases can
        # have: a Belgian counsellor was offered some 105 hosts, each finding nothing.
        hosts, origins = programme_countries(countries)
        for name, codes in (("host_country", hosts), ("origin_country", origins)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("All")), *named_countries(codes)]

    def clean_page(self) -> int:
        raw = latin_digits(self.cleaned_data.get("page") or "")
        number = posted_id(raw)
        return number if number and number < 10**9 else 1

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("arrived_from"), data.get("arrived_to")
        if start and end and end < start:
            self.add_error("arrived_to", _("The end of the arrival range is before its start."))
        if data.get("sort") and data["sort"] not in SORTS:
            self.add_error("sort", _("Unknown sort order."))
        if self.data.get(SEARCH_LOST) and not data.get("q"):
            self.add_error("q", search_lost_message())
        return data


def search_lost_message() -> str:
    return _(
        "The search this page showed is no longer kept (the list keeps your last %(n)s "
        "searches): type it again."
    ) % {"n": SEARCHES_KEPT}


# The case list's state that may appear in a URL (so Back and bookmarks restore it): the
# filters and the page, never the searched name or document number.
URL_FILTERS = (
    "similar",
    "stage",
    "category",
    "host_country",
    "origin_country",
    "organisation",
    "worker",
    "arrived_from",
    "arrived_to",
    "sort",
    "page",
)
# The searches' texts, kept server-side in the user's session under short keys; a URL
# carries only the key (`search=3`), so that Back to an earlier search shows that search,
# not the latest one, without the name ever entering a URL or an access log.
SEARCH_SESSION_KEY = "case_list_searches"
SEARCHES_KEPT = 20
SEARCH_LOST = "search_lost"  # in a list state whose search's text is no longer kept


def remember_search(session: Any, text: str) -> str:
    """The key of this search's text in the session (the same text keeps its key)."""
    searches: dict[str, str] = dict(session.get(SEARCH_SESSION_KEY) or {})
    for key, kept in searches.items():
        if kept == text:
            return key
    key = str(max((int(k) for k in searches), default=0) + 1)
    searches[key] = text
    while len(searches) > SEARCHES_KEPT:
        del searches[min(searches, key=int)]
    session[SEARCH_SESSION_KEY] = searches
    return key


def list_state_from_url(query: Any, session: Any) -> dict[str, Any] | None:
    """The case list's filters from a URL. A `q` in the URL is ignored: searches travel in
    request bodies only. `search=<key>` names a search kept in the session."""
    data: dict[str, Any] = {name: query[name] for name in URL_FILTERS if query.get(name)}
    text = (session.get(SEARCH_SESSION_KEY) or {}).get(query.get("search") or "")
    if text:
        data["q"] = text
    elif query.get("search"):
        # A search no longer kept (an old link, Back past the last searches): said, never
        # quietly dropped for the list of every case (an export of it exported them all).
        data[SEARCH_LOST] = "1"
    return data or None


def list_state_url(path: str, cleaned: dict[str, Any], page: int, search: str = "") -> str:
    """The URL that brings the list back as it is shown (pushed into the browser's history);
    `search`: the key `remember_search` gave the search's text, if there is one."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name in URL_FILTERS:
        value: Any = page if name == "page" else cleaned.get(name)
        value = getattr(value, "pk", value)
        if value not in (None, "", False):  # a box left unticked says nothing
            query[name] = str(value)
    if cleaned.get("q") and search:
        query["search"] = search
    return f"{path}?{query.urlencode()}" if query else path


class VersionedForm(forms.Form):
    """An edit of an existing record carries the version the user read, so a save never
    silently overwrites someone else's. Forms that may also create (travel, reception)
    leave it empty until the record exists; the action then refuses a second creation."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=True, min_value=0)


class TransitionForm(VersionedForm):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Comment"), required=False, max_length=max_length(rules.TRANSITION, "reason")
    )


class CloseForm(VersionedForm):
    closure_reason = forms.ChoiceField(label=_("Closure reason"), choices=[("", "—"), *ClosureReason.choices])
    note = forms.CharField(
        label=_("Comment"), required=False, max_length=max_length(rules.TRANSITION, "note")
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is the case reopened?"), max_length=max_length(rules.TRANSITION, "reason")
    )


class ConsentForm(RuleCheckedForm):
    value_rules = (rules.CONSENT,)

    # Both start empty: a consent is recorded only as chosen, never by a click on the form
    # as it opened (it read "Processing of personal data: Given" before anyone chose).
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", "—"), *ConsentPurpose.choices],
        error_messages={"required": _("Choose what the consent is for.")},
    )
    given = forms.TypedChoiceField(
        label=_("Consent"),
        coerce=lambda v: v == "yes",
        choices=[("", "—"), ("yes", _("Given")), ("no", _("Withdrawn or refused"))],
        error_messages={
            "required": _("Choose whether the returnee gave the consent or withdrew or refused it.")
        },
    )
    given_on = forms.DateField(label=_("Date"), widget=IsoDateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=max_length(rules.CONSENT, "note"))
    groups = forms.MultipleChoiceField(
        label=_("Sensitive details the returnee agrees to share"),
        help_text=_("Only for consent to share with service providers."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = self.fields["groups"]
        assert isinstance(groups, forms.MultipleChoiceField)
        groups.choices = GROUP_CHOICES


class CounsellingForm(RuleCheckedForm):
    value_rules = (rules.COUNSELLING,)

    held_on = forms.DateField(label=_("Date"), widget=IsoDateInput)
    mode = forms.ChoiceField(label=_("Mode"), choices=CounsellingMode.choices)
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    topics = forms.CharField(
        label=_("Topics"), required=False, max_length=max_length(rules.COUNSELLING, "topics")
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=max_length(rules.COUNSELLING, "notes"),
        widget=Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Saved untouched, the form recorded an empty session, which then counted as the
        # counselling the next stage asks for.
        if not (data.get("topics") or "").strip() and not (data.get("notes") or "").strip():
            self.add_error("topics", _("Say what the session covered: its topics or notes."))
        return data


class NeedForm(forms.Form):
    # Nothing chosen until the counsellor chooses: sent untouched, the form recorded a
    # "medical" need, the list's first choice.
    kind = forms.ChoiceField(label=_("Need"), choices=[("", "—"), *NeedKind.choices])
    description = forms.CharField(
        label=_("Description"), required=False, max_length=max_length(rules.NEED, "description")
    )


class CreateOrEditForm(VersionedForm):
    """A step record's form. `withheld`: fields in a sensitive group the reader does not
    hold; they are left out, so they are neither shown nor sent (the action keeps them)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, withheld: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in withheld:
            self.fields.pop(name, None)


class TravelForm(RuleCheckedForm, CreateOrEditForm):
    value_rules = (rules.TRAVEL,)

    departure_date = forms.DateField(label=_("Departure date"), required=False, widget=IsoDateInput)
    arrival_date = forms.DateField(label=_("Arrival date"), required=False, widget=IsoDateInput)
    route = forms.CharField(label=_("Route"), required=False, max_length=max_length(rules.TRAVEL, "route"))
    escort = forms.ChoiceField(label=_("Escort"), choices=Escort.choices)
    medical_fitness = forms.ChoiceField(label=_("Medical fitness to travel"), choices=Fitness.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=max_length(rules.TRAVEL, "notes"),
        widget=Textarea(attrs={"rows": 2}),
        # Beside fields masked for readers without the health group, these notes are not:
        # "insulin dependent diabetic" typed here was read by every reader of the case.
        help_text=NOT_FOR_HEALTH,
    )


class ReceptionForm(RuleCheckedForm, CreateOrEditForm):
    value_rules = (rules.RECEPTION,)

    received_on = forms.DateField(label=_("Date of reception"), widget=IsoDateInput)
    airport_pickup = forms.BooleanField(label=_("Airport pick-up"), required=False)
    accommodation_nights = forms.IntegerField(
        label=_("Nights of temporary accommodation"), min_value=0, max_value=365, initial=0
    )
    nutrition = forms.BooleanField(label=_("Nutrition"), required=False)
    # As every other amount (lib/money.AmountField): "25 000" and "7,50" in French were
    # refused here alone, and the edit form showed back "25000.00".
    pocket_money = AmountField(
        label=_("Pocket money"), initial=0, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    pocket_money_currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    onward_transport = forms.BooleanField(label=_("Onward transport"), required=False)
    urgent_medical_care = forms.BooleanField(label=_("Urgent medical care"), required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=max_length(rules.RECEPTION, "notes"),
        widget=Textarea(attrs={"rows": 2}),
        # Beside fields masked for readers without the health group, these notes are not:
        # "insulin dependent diabetic" typed here was read by every reader of the case.
        help_text=NOT_FOR_HEALTH,
    )

    def clean_pocket_money(self) -> Decimal:
        text = self.cleaned_data.get("pocket_money") or "0"
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a number."), code="invalid") from None
        if not value.is_finite() or value < 0:
            # Worded as the nights beside it ("Ensure this value is greater than or equal to 0.").
            least = _("Ensure this value is greater than or equal to %(limit_value)s.")
            raise forms.ValidationError(least % {"limit_value": 0}, code="min_value")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Enter an amount with at most two decimals."), code="invalid")
        if value >= Decimal("1e8"):  # the column holds ten digits, two of them decimals
            raise forms.ValidationError(
                _("Ensure this value is less than or equal to %(limit_value)s.")
                % {"limit_value": "99999999.99"},
                code="max_value",
            )
        return value

    def clean_pocket_money_currency(self) -> str:
        # "iqd" was refused here while the plan's item form took "eur": codes read as capitals.
        return str(self.cleaned_data.get("pocket_money_currency") or "").upper()


class SubmitForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Reintegration partner"), queryset=Organisation.objects.none(), empty_label="—"
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=max_length(rules.SUBMISSION, "message"),
        widget=Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners if partners is not None else Organisation.objects.none()


class RespondForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    # A text area: Enter in a one-line field sent the form with its first button, Accept,
    # and the reason typed was lost.
    reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=max_length(rules.SUBMISSION, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "accept" and (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason", _("A reason is for rejecting: clear it to accept the case, or reject the case.")
            )
        return cleaned


class CaseDetailsForm(VersionedForm):
    category = forms.ModelChoiceField(
        label=_("Migrant category"), queryset=MigrantCategory.objects.filter(active=True), empty_label="—"
    )
    vulnerabilities = RowsChoiceField(
        label=_("Vulnerabilities"),
        queryset=Vulnerability.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intended_return_date = forms.DateField(
        label=_("Intended return date"), required=False, widget=IsoDateInput
    )
    assigned_workers = UserMultipleChoiceField(
        label=_("Case workers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        workers: Any = None,
        groups: frozenset[str] = frozenset(),
        current_category: MigrantCategory | None = None,
        **kwargs: Any,
    ) -> None:
        """`groups`: the sensitive groups the reader holds on the case. Items of other
        groups are not offered (the action keeps those already recorded). A current
        category of another group shows as the one standing in for it, as the page reads
        it (`policy.category_as_read`; left out, the field said which cases hid one), and
        that one sent back keeps the stored category."""
        super().__init__(*args, **kwargs)
        self.stand_in: MigrantCategory | None = None
        field = self.fields["assigned_workers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if workers is not None:
            field.queryset = workers
        shown = Q(sensitive_group="") | Q(sensitive_group__in=sorted(groups))
        vulnerabilities = self.fields["vulnerabilities"]
        assert isinstance(vulnerabilities, forms.ModelMultipleChoiceField)
        vulnerabilities.queryset = Vulnerability.objects.filter(shown, active=True)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = MigrantCategory.objects.filter(shown, active=True)
        if current_category is not None and not (
            not current_category.sensitive_group or current_category.sensitive_group in groups
        ):
            self.stand_in = category_stand_in()
            if self.stand_in is None:
                del self.fields["category"]
            elif not self.is_bound:
                self.initial["category"] = self.stand_in.pk

    def clean_category(self) -> MigrantCategory | None:
        chosen: MigrantCategory | None = self.cleaned_data.get("category")
        if self.stand_in is not None and chosen == self.stand_in:
            return None  # the category as it read: the stored one is kept
        return chosen


RELATIONS = [("", "—"), *(c for c in Relation.choices if c[0] != Relation.PRINCIPAL)]


class MemberForm(PersonForm):
    relation = forms.ChoiceField(label=_("Relation to the principal applicant"), choices=RELATIONS)


class RegistrationMemberForm(RuleCheckedForm):
    """One household member returning with the principal applicant, registered with the
    case; the rest of their details are added on the case page. A row left blank is
    ignored."""

    value_rules = (rules.PERSON,)

    given_name = PersonForm.base_fields["given_name"]
    family_name = PersonForm.base_fields["family_name"]
    sex = PersonForm.base_fields["sex"]
    date_of_birth = PersonForm.base_fields["date_of_birth"]
    relation = forms.ChoiceField(label=_("Relation to the principal applicant"), choices=RELATIONS)


MembersFormSet = forms.formset_factory(RegistrationMemberForm, extra=0, max_num=20, can_delete=True)


class PersonEditForm(PersonForm, VersionedForm):
    # Which member of the household is edited; empty means the principal applicant.
    person = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # A member's relation, corrected here (left out for the principal applicant).
    relation = forms.ChoiceField(
        label=_("Relation to the principal applicant"), choices=RELATIONS, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and "relation" not in self.data:
            del self.fields["relation"]  # the principal's form, sent back with an error: none offered


class EraseForm(forms.Form):
    """The legal erasure of one member's personal data: a reason and an explicit
    acknowledgement, since it cannot be undone."""

    person = forms.ChoiceField(label=_("Person"))
    reason = forms.ChoiceField(label=_("Reason for erasure"), choices=[("", "—"), *ErasureReason.choices])
    confirm = forms.BooleanField(
        label=_("I understand that this erases their personal data everywhere and cannot be undone."),
        # "This field is required." under a box says nothing of what ticking it means.
        error_messages={"required": _("Tick the box to confirm that the erasure cannot be undone.")},
    )

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((str(m.person.uuid), str(m.person)) for m in members)]


class ErasureDecisionForm(forms.Form):
    """Approving, refusing or withdrawing one pending erasure request."""

    erasure = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why (if refused)"), required=False, max_length=500, widget=forms.TextInput()
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        widget=Textarea(attrs={"rows": 3}),
        max_length=max_length(rules.NOTE_FIELDS, "body"),
    )


class IdentityDocumentAddForm(IdentityDocumentForm):
    """Another identity document of a person of the case (the case page's person section)."""

    person = forms.UUIDField(widget=forms.HiddenInput)
    document_expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_kind"].required = True
        self.fields["document_number"].required = True


class IdentityDocumentRemoveForm(forms.Form):
    identity_document = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=max_length(rules.DOCUMENT_UPLOAD, "title"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class DocumentRemoveForm(forms.Form):
    document = forms.IntegerField(widget=forms.HiddenInput)
