"""The case page: every journey step's form, posted to one view, and document downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from remis.audit.actions import record
from remis.audit.models import ReadChannel
from remis.audit.queries import last_saved
from remis.cases import actions
from remis.cases import forms as case_forms
from remis.cases.actions.journey import RECEPTION_FIELDS, TRAVEL_FIELDS
from remis.cases.actions.registration import PERSON_FIELDS
from remis.cases.actions.subject_access import export_subject_data, may_export_subject
from remis.cases.models import Case, CaseMember, Escort, Fitness, Relation, ReturnType, Submission
from remis.cases.policy import groups_on_case, visible_cases, withheld
from remis.cases.queries import (
    access_ended_for,
    assignable_workers,
    assigned_elsewhere,
    case_member,
    case_overview,
    colleague_ids,
    consent_in_force,
    decided_erasures,
    erasable_members,
    note_opened,
    pending_erasures,
    sharing_holds_own_access,
    submission_targets,
)
from remis.cases.views.common import apply_errors, case_or_404
from remis.cases.views.registration import person_data
from remis.lib.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from remis.lib.forms import refusal_with_typing
from remis.lib.pages import forbidden
from remis.lib.spreadsheet import xlsx_download
from remis.lib.templatetags.remis_dates import short_date
from remis.lib.templatetags.remis_forms import fields_in_error


def _forms_for(
    ours: set[int],
    case: Case,
    edited: CaseMember,
    groups: frozenset[str],
    withheld: dict[str, frozenset[str]],
    bound: dict[str, forms.Form] | None = None,
) -> dict[str, Any]:
    """Every step form on the case page; `bound` replaces the one that was just submitted.
    `withheld`: the fields the reader does not see, by record (the overview's)."""
    today = timezone.localdate()
    travel = getattr(case, "travel", None) if hasattr(case, "travel") else None
    reception = getattr(case, "reception", None) if hasattr(case, "reception") else None
    workers = assignable_workers(case, ours)
    partners = submission_targets(case)
    built: dict[str, forms.Form] = {
        "transition": case_forms.TransitionForm(auto_id="transition-%s", initial={"version": case.version}),
        "close": case_forms.CloseForm(auto_id="close-%s", initial={"version": case.version}),
        "reopen": case_forms.ReopenForm(auto_id="reopen-%s", initial={"version": case.version}),
        "consent": case_forms.ConsentForm(auto_id="consent-%s", initial={"given_on": today}),
        "counselling": case_forms.CounsellingForm(auto_id="counselling-%s", initial={"held_on": today}),
        "need": case_forms.NeedForm(auto_id="need-%s"),
        "travel": case_forms.TravelForm(
            auto_id="travel-%s",
            withheld=withheld["travel"],
            initial={
                "version": travel.version if travel else None,
                **({f: getattr(travel, f) for f in TRAVEL_FIELDS} if travel else {}),
            },
        ),
        "reception": case_forms.ReceptionForm(
            auto_id="reception-%s",
            withheld=withheld["reception"],
            initial={
                "version": reception.version if reception else None,
                "received_on": case.arrival_date or today,
                **({f: getattr(reception, f) for f in RECEPTION_FIELDS} if reception else {}),
            },
        ),
        "submit": case_forms.SubmitForm(auto_id="submit-%s", partners=partners),
        "respond": case_forms.RespondForm(auto_id="respond-%s"),
        "details": case_forms.CaseDetailsForm(
            auto_id="details-%s",
            workers=workers,
            groups=groups,
            current_category=case.category,
            initial={
                "version": case.version,
                "category": case.category_id,
                "vulnerabilities": list(case.vulnerabilities.all()),
                "intended_return_date": case.intended_return_date,
                "assigned_workers": list(case.assigned_workers.all()),
            },
        ),
        "member": case_forms.MemberForm(auto_id="member-%s"),
        "person": _person_form(edited),
        "identity_document": case_forms.IdentityDocumentAddForm(
            auto_id="identity-document-%s", initial={"person": edited.person.uuid}
        ),
        "note": case_forms.NoteForm(auto_id="note-%s"),
        "erase": case_forms.EraseForm(auto_id="erase-%s", members=erasable_members(case)),
        "document": case_forms.DocumentForm(auto_id="document-%s"),
    }
    built.update(bound or {})
    return built


def _member_to_edit(request: HttpRequest, case: Case) -> CaseMember:
    """The household member whose details the person form shows: the one being saved, or
    the one picked in the members table (?person=), else the principal applicant."""
    chosen = request.POST.get("person") if request.method == "POST" else request.GET.get("person")
    try:
        return case_member(case, chosen)
    except NotFound:
        principal = case_member(case, None)
    if principal.person.erased_at is None:
        return principal
    # An erased person's details are gone and never edited: the form shows someone else's.
    others = [m for m in case.members.select_related("person") if m.person.erased_at is None]
    return others[0] if others else principal


def _refused_reason(form: forms.Form) -> str:
    """What the banner over a refused form says: to correct the fields in red when some
    are, else the form's own reason (someone else saved first), which no red field shows."""
    if fields_in_error(form):
        return _("Nothing was saved: correct the fields marked in red.")
    reasons = [str(e) for e in form.non_field_errors()]
    reasons += [str(e) for field in form.hidden_fields() for e in field.errors]
    return _("Nothing was saved: %(reason)s") % {"reason": reasons[0]} if reasons else _("Nothing was saved.")


@never_cache  # Back after a save fetches the page again: a kept copy's forms carry old versions
@login_required
def case_detail(
    request: HttpRequest,
    case_uuid: str,
    bound: dict[str, forms.Form] | None = None,
    *,
    conflict: bool = False,
) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    # `?all=notes`, `?all=history`: every one, not the latest (words of the page, no record).
    overview = case_overview(request.user, case, frozenset(request.GET.getlist("all")) & {"notes", "history"})
    if bound is None and request.method == "GET":
        note_opened(request.user, case, ReadChannel.PAGE, overview.groups)  # the read log
    status = 400 if bound else 200
    edited = _member_to_edit(request, case)
    ours = colleague_ids(request.user)  # the reader's organisations' people: those they assign
    return render(
        request,
        "cases/detail.html",
        {
            "o": overview,
            "case": case,
            "forms": _forms_for(ours, case, edited, overview.groups, overview.withheld, bound),
            "assigned_elsewhere": assigned_elsewhere(case, ours),
            "edited_member": edited,
            # Its documents as the household table read them (prefetched: no query more).
            "edited_documents": next(
                (list(m.person.identity_documents.all()) for m in overview.members if m.pk == edited.pk), []
            ),
            "erasures": pending_erasures(case) if "person.erase" in overview.permissions else [],
            "decided_erasures": decided_erasures(case) if "person.erase" in overview.permissions else [],
            "sharing_holds_own_access": sharing_holds_own_access(request.user, overview.access),
            "subject_access": may_export_subject(overview.permissions, overview.groups),
            # The section to draw open: the refused form's, else the one a save came back
            # to (`?open=`, see case_step), else the person's when asked for.
            "open_step": next(
                iter(bound or {}),
                request.GET.get("open", "")[:32] or ("person" if "person" in request.GET else ""),
            ),
            # A form sent back with errors: the page says so at its top, with a link to the
            # section holding the form (far below the fold for most of them).
            "refused_section": SECTIONS.get(next(iter(bound)), next(iter(bound))) if bound else "",
            "refused_reason": _refused_reason(next(iter(bound.values()))) if bound else "",
            # Someone else saved first: this page is the answer to a POST, and reloading it
            # sends the form again; a link opens the case as it is now (what they saved).
            "current_url": f"{reverse('case_detail', args=[case.uuid])}?open={next(iter(bound))}"
            if bound and conflict
            else "",
        },
        status=status,
    )


Handler = Callable[[HttpRequest, Case, Any], str]


def _transition(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.transition_case(request.user, case, c["stage"], expected_version=c["version"], reason=c["reason"])
    return _("Case moved to “%(stage)s”.") % {"stage": case.get_stage_display()}


def _close(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.close_case(request.user, case, c["closure_reason"], expected_version=c["version"], note=c["note"])
    return _("Case closed.")


def _reopen(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.reopen_case(request.user, case, c["reason"], expected_version=c["version"])
    return _("Case reopened.")


def _consent(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    consent = actions.record_consent(
        request.user,
        case,
        purpose=c["purpose"],
        given=c["given"],
        given_on=c["given_on"],
        note=c["note"],
        groups=c["groups"],
    )
    in_force = consent_in_force(case, consent.purpose)
    if in_force is not None and in_force.pk != consent.pk:
        # Dated before the statement in force: recorded for the history, changing nothing.
        return _(
            "Recorded, but it is dated before the statement of %(day)s for this purpose, which "
            "stays in force."
        ) % {"day": date_format(in_force.given_on, "SHORT_DATE_FORMAT")}
    if not consent.given:
        return _("Withdrawal recorded: nothing more is done on the strength of this consent from now on.")
    return _("Consent recorded.")


def _counselling(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.record_counselling(
        request.user,
        case,
        held_on=c["held_on"],
        mode=c["mode"],
        topics=c["topics"],
        notes=c["notes"],
        interpreter_used=c["interpreter_used"],
    )
    return _("Counselling session recorded.")


def _need(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.add_need(request.user, case, kind=c["kind"], description=c["description"])
    return _("Need recorded.")


@contextmanager
def _without_version() -> Iterator[None]:
    """A form that read no record (travel, reception) finding one saved meanwhile by
    someone else (two tabs, two people): a conflict in the page's words; the action's
    refusal speaks to API clients ("send the version you read")."""
    try:
        yield
    except ValidationFailed as error:
        if error.field == "version":
            raise Conflict() from error
        raise


def _saved_or_untouched(version: int | None, read: int | None, saved: str) -> str:
    """What a save of a record read at version `read` says: saved, or, when the action
    wrote nothing (a form saved untouched keeps its version), that nothing changed, as the
    provider and item forms say (these said "saved" with no history entry written)."""
    return str(_("Nothing was changed.")) if read is not None and version == read else saved


def _travel(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    with _without_version():
        return _save_travel(request, case, c)


def _save_travel(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    travel = actions.save_travel(
        request.user,
        case,
        expected_version=c.get("version"),
        departure_date=c["departure_date"],
        arrival_date=c["arrival_date"],
        route=c["route"],
        # Absent when the reader does not hold their group: the action keeps them.
        escort=c.get("escort", Escort.NONE),
        medical_fitness=c.get("medical_fitness", Fitness.NOT_ASSESSED),
        notes=c["notes"],
    )
    if travel.pk is None:  # an empty form records nothing (journey._create_or_update)
        return _("Nothing was recorded: the form was empty.")
    registered = timezone.localdate(case.registered_at)
    if (
        case.return_type != ReturnType.POST_ARRIVAL
        and travel.departure_date is not None
        and travel.departure_date < registered
    ):
        # Kept (a case entered late from paper), but a departure before an assisted return's
        # registration is most often a mistyped year: the monitoring rounds count from it.
        messages.warning(
            request,
            _("The departure is before the case's registration (%(day)s): check the dates.")
            % {"day": short_date(registered)},
        )
    return _saved_or_untouched(travel.version, c.get("version"), _("Return travel saved."))


def _reception(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    fields = {k: c[k] for k in RECEPTION_FIELDS if k in c}
    with _without_version():
        reception = actions.save_reception(request.user, case, expected_version=c.get("version"), **fields)
    return _saved_or_untouched(reception.version, c.get("version"), _("Reception saved."))


def _submit(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.submit_case(request.user, case, c["to_organisation"], c["message"])
    return _("Case submitted to %(org)s.") % {"org": c["to_organisation"].name}


def _respond(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    submission = Submission.objects.filter(case=case, pk=c["submission"]).first()
    if submission is None:
        raise NotFound()
    accept = c["decision"] == "accept"
    actions.respond_to_submission(request.user, submission, accept=accept, reason=c["reason"])
    return _("Case accepted.") if accept else _("Case rejected; the sender has been told why.")


def _details(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    case = actions.update_case_details(
        request.user,
        case,
        expected_version=c["version"],
        category=c.get("category"),  # absent: in a group the reader does not hold, kept
        vulnerabilities=c["vulnerabilities"],
        intended_return_date=c["intended_return_date"],
        assigned_workers=c["assigned_workers"],
    )
    return _saved_or_untouched(case.version, c["version"], _("Case details saved."))


def _member(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.add_household_member(request.user, case, person_data(c), c["relation"])
    return _("Household member added.")


def _person_form(edited: Any) -> forms.Form:
    form = case_forms.PersonEditForm(
        auto_id="person-%s",
        initial={
            "person": edited.person.uuid,
            "version": edited.person.version,
            "relation": edited.relation,
            **{f: getattr(edited.person, f) for f in PERSON_FIELDS},
        },
    )
    if edited.relation == Relation.PRINCIPAL:
        del form.fields["relation"]
    return form


def _person(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    member = case_member(case, c.get("person"))
    data = person_data(c)
    if member.relation != Relation.PRINCIPAL and c.get("relation"):
        person = actions.update_member(
            request.user, case, member.person, data, c["relation"], expected_version=c["version"]
        )
    else:
        person = actions.update_person(request.user, case, member.person, data, expected_version=c["version"])
    if c.get("relation") and member.relation not in (Relation.PRINCIPAL, c["relation"]):
        return _("Personal details saved.")  # the relation changed: saved, even if nothing else did
    return _saved_or_untouched(person.version, c["version"], _("Personal details saved."))


def _identity_document(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    from remis.cases.actions import IdentityDocumentData

    person = case_member(case, c["person"]).person
    data = IdentityDocumentData(
        kind=c["document_kind"],
        number=c["document_number"],
        issuing_country=c.get("document_country") or "",
        expires_on=c.get("document_expires_on"),
    )
    actions.add_identity_document(request.user, case, person, data)
    return _("Identity document added.")


def _remove_identity_document(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    from remis.cases.models import IdentityDocument

    document = (
        IdentityDocument.objects.filter(pk=c["identity_document"], person__memberships__case=case)
        .select_related("person")
        .first()
    )
    gone = _("This identity document had already been removed (from another page or by someone else).")
    if document is None:
        if IdentityDocument.objects.filter(pk=c["identity_document"]).exists():
            raise NotFound()  # another case's
        return gone  # removed meanwhile: what the click asked is done
    try:
        actions.remove_identity_document(request.user, case, document)
    except NotFound:
        return gone
    return _("Identity document removed.")


def _note(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.add_note(request.user, case, c["body"])
    return _("Note added.")


def _document(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.upload_document(request.user, case, title=c["title"], upload=c["file"])
    return _("Document uploaded.")


def _remove_document(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    document = case.documents.filter(pk=c["document"], deleted_at__isnull=True).first()
    if document is None:
        raise NotFound()
    actions.delete_document(request.user, case, document)
    return _("Document removed.")


def _erase(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    person = case_member(case, c["person"]).person
    actions.request_erasure(request.user, case, person, c["reason"])
    return _("Erasure requested: another person holding the erasure right must approve it.")


def _erasure(case: Case, c: dict[str, Any]) -> Any:
    erasure = case.erasures.select_related("person", "case").filter(uuid=c["erasure"]).first()
    if erasure is None:
        raise NotFound()
    return erasure


def _erase_approve(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.approve_erasure(request.user, _erasure(case, c))
    return _("The person's personal data was erased.")


def _erase_refuse(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    erasure = _erasure(case, c)
    actions.refuse_erasure(request.user, erasure, c["note"])
    return _("Erasure request withdrawn.") if erasure.status == "withdrawn" else _("Erasure request refused.")


def _confirm(request: HttpRequest, case: Case, c: dict[str, Any]) -> str:
    actions.confirm_post_arrival_case(request.user, case)
    return _("Post-arrival case confirmed.")


STEPS: dict[str, tuple[type[forms.Form] | None, Handler]] = {
    "transition": (case_forms.TransitionForm, _transition),
    "close": (case_forms.CloseForm, _close),
    "reopen": (case_forms.ReopenForm, _reopen),
    "consent": (case_forms.ConsentForm, _consent),
    "counselling": (case_forms.CounsellingForm, _counselling),
    "need": (case_forms.NeedForm, _need),
    "travel": (case_forms.TravelForm, _travel),
    "reception": (case_forms.ReceptionForm, _reception),
    "submit": (case_forms.SubmitForm, _submit),
    "respond": (case_forms.RespondForm, _respond),
    "details": (case_forms.CaseDetailsForm, _details),
    "member": (case_forms.MemberForm, _member),
    "person": (case_forms.PersonEditForm, _person),
    "identity_document": (case_forms.IdentityDocumentAddForm, _identity_document),
    "remove-identity-document": (case_forms.IdentityDocumentRemoveForm, _remove_identity_document),
    "note": (case_forms.NoteForm, _note),
    "document": (case_forms.DocumentForm, _document),
    "remove-document": (case_forms.DocumentRemoveForm, _remove_document),
    "erase": (case_forms.EraseForm, _erase),
    "erase-approve": (case_forms.ErasureDecisionForm, _erase_approve),
    "erase-refuse": (case_forms.ErasureDecisionForm, _erase_refuse),
    "confirm": (None, _confirm),
}


# Steps that are a button with nothing typed (or a short note beside it): a refusal is said
# once, on the case page, and the browser is back on the case's own URL (not left on /do/<step>/).
BUTTON_STEPS = {"transition", "confirm", "erase-approve", "erase-refuse"}


# The section of the case page (its element id) holding each step's form, where it differs.
SECTIONS = {
    "member": "person",
    "identity_document": "person",
    "remove-identity-document": "person",
    "need": "counselling",
    "submit": "sharing",
    "respond": "sharing",
    "remove-document": "document",
}


# Where on the case page a step's outcome shows, for steps without a section of their own.
ANCHORS = {"transition": "#journey", "erase-approve": "#erase", "erase-refuse": "#erase"}


def _at_section(case: Case, step: str) -> str:
    """The case page at the section a step's form sits in (there is no element "#need"),
    drawn open, so that what was just saved, or the form, is in view."""
    section = SECTIONS.get(step, step)
    return reverse("case_detail", kwargs={"case_uuid": case.uuid}) + ANCHORS.get(
        step, f"?open={section}#{section}"
    )


def _posted_form(step: str, request: HttpRequest) -> forms.Form:
    """The step's form holding what was posted, for quoting its text (not checked): a form
    whose choices depend on the case, no longer readable, is read without them."""
    form_class = STEPS[step][0]
    try:
        return form_class(request.POST) if form_class else forms.Form()
    except TypeError:  # a form built with the case's choices
        return forms.Form()


def _refused(request: HttpRequest, case: Case, step: str, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect(reverse("case_detail", kwargs={"case_uuid": case.uuid}) + ANCHORS.get(step, ""))


@login_required
def case_step(request: HttpRequest, case_uuid: str, step: str) -> HttpResponse:
    """One journey step's form, posted from the case page."""
    if step not in STEPS:
        raise Http404
    try:
        case = case_or_404(request, case_uuid)
    except Http404:
        if request.method == "POST" and access_ended_for(request.user, case_uuid):
            # The page was open when the case stopped being shared with the reader's
            # organisation (the returnee withdrew consent; the submission was withdrawn):
            # "Page not found" said nothing of it.
            said = _(
                "Nothing was saved: this case is no longer shared with your organisation "
                "(its sharing ended while the page was open)."
            )
            # With what was typed (a rejection's reason, a note): the page holding it is gone.
            messages.error(request, refusal_with_typing(said, _posted_form(step, request)))
            return redirect("dashboard")
        raise
    if request.method != "POST":
        # The address of a refused form shown again (reloaded, bookmarked, returned to after
        # a language change): the case page, at the form's section.
        return redirect(_at_section(case, step))
    form_class, handler = STEPS[step]
    kwargs: dict[str, Any] = {}
    if form_class is case_forms.SubmitForm:
        kwargs["partners"] = submission_targets(case)
    if form_class is case_forms.CaseDetailsForm:
        kwargs["workers"] = assignable_workers(case, colleague_ids(request.user))
        kwargs["groups"] = groups_on_case(request.user, case)
        kwargs["current_category"] = case.category
    if form_class is case_forms.EraseForm:
        kwargs["members"] = erasable_members(case)
    if form_class in (case_forms.TravelForm, case_forms.ReceptionForm):
        record_type = "cases.returntravel" if form_class is case_forms.TravelForm else "cases.reception"
        kwargs["withheld"] = withheld(groups_on_case(request.user, case), record_type)
    form = form_class(request.POST, request.FILES, auto_id=f"{step}-%s", **kwargs) if form_class else None
    if form is not None and not form.is_valid():
        if step in BUTTON_STEPS:
            return _refused(request, case, step, " ".join(str(m) for ms in form.errors.values() for m in ms))
        if step == "erase" and "person" in form.errors and request.POST.get("person"):
            # The person is no longer offered (an erasure asked meanwhile: the same form sent
            # twice, or by a colleague): the page would show no erasure form to carry the error.
            return _refused(
                request,
                case,
                step,
                _("This person's data is already erased, or an erasure is waiting for approval."),
            )
        if (
            step == "submit"
            and "to_organisation" in form.errors
            and (said := actions.submitted_meanwhile(case))
        ):
            # Submitted meanwhile by a colleague: no partner is offered any more, so no field
            # could be marked, and the form with the message typed was gone from the page.
            return _refused(request, case, step, refusal_with_typing(said, form))
        return case_detail(request, case_uuid, bound={step: form})
    try:
        message = handler(request, case, form.cleaned_data if form else {})
    except NotFound:
        raise Http404 from None
    except PermissionDenied:
        return forbidden(request, _("Your role cannot do this on this case."))
    except DomainError as error:
        if form is None or step in BUTTON_STEPS:
            return _refused(request, case, step, error.message)
        if (
            step == "submit"
            and error.field == "to_organisation"
            and (said := actions.submitted_meanwhile(case))
        ):
            return _refused(request, case, step, refusal_with_typing(said, form))  # as above
        if step == "close" and isinstance(error, Conflict) and (said := actions.closed_meanwhile(case)):
            # Closed meanwhile by a colleague: the page offers only Reopen, and the note typed
            # was lost with the closing form.
            return _refused(request, case, step, refusal_with_typing(said, form))
        if step == "respond" and error.field == "status":
            # Answered meanwhile (another tab, a colleague): the answer form is gone from the
            # page, and a rejection's reason with it; said above the page, with the reason.
            return _refused(request, case, step, refusal_with_typing(error.message, form))
        if isinstance(error, Conflict) and error.message == Conflict().message:
            # The general words say "reload"; reloading this answer would send the form again.
            said = _(
                "Someone else saved this record after you opened it. Open the case as it "
                "is now to see what they saved, then apply your changes again."
            )
            saved = last_saved(error.record, request.user, form.fields) if error.record is not None else None
            if saved is not None and saved[0]:
                said = _(
                    "You saved this record on %(when)s, from another page or tab, after this one was "
                    "opened. Open the case as it is now to see what was saved, then apply your "
                    "changes again."
                ) % {"when": saved[1]}
            elif saved is not None:
                said = " ".join((said, saved[1]))  # two translated sentences
            error = Conflict(said)
        apply_errors(form, error)
        return case_detail(request, case_uuid, bound={step: form}, conflict=isinstance(error, Conflict))
    messages.success(request, message)
    if not visible_cases(request.user).filter(pk=case.pk).exists():
        # Their own organisation's access rested on what they just did (a partner's
        # consent withdrawn): the case page would answer "Page not found".
        messages.warning(request, _("Your organisations no longer have access to this case."))
        return redirect("case_list")
    return redirect(_at_section(case, step))


@login_required
def document_download(request: HttpRequest, case_uuid: str, document_id: int) -> HttpResponseBase:
    case = case_or_404(request, case_uuid)
    document = case.documents.filter(pk=document_id, deleted_at__isnull=True).first()
    if document is None:
        raise Http404
    # Reading a document is a sensitive read: it is logged like a write, and in the read
    # log that the focal point reviews (a passport scan downloaded was in neither's sight).
    record(request.user, "case.document_read", document, case_uuid=case.uuid)
    note_opened(request.user, case, ReadChannel.DOCUMENT)
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[document.content_type]
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=f"{case.reference}-{document.pk}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST  # the person is named in the body: no personal identifier in a URL
@login_required
def subject_access_download(request: HttpRequest, case_uuid: str) -> HttpResponse:
    """A person's subject access export, handed over and not kept."""
    case = case_or_404(request, case_uuid)
    try:
        member = case_member(case, request.POST.get("person"))
        name, content = export_subject_data(request.user, case, member.person)
    except NotFound:
        messages.error(request, _("Choose a person covered by the case."))
        return redirect(_at_section(case, "person"))
    except PermissionDenied as refused:
        messages.error(request, refused.message)
        return redirect(_at_section(case, "person"))
    return xlsx_download(content, name)
