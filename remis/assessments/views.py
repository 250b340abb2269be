"""Assessment pages: record one from the case page, change a draft, read past assessments
and confirm proposed flags. Each view parses, calls one action or query, and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from remis.accounts.permissions import Perm
from remis.assessments import actions
from remis.assessments.answers import Form
from remis.assessments.forms import AssessmentForm, ConfirmFlagsForm
from remis.assessments.models import Assessment, AssessmentStatus
from remis.assessments.presentation import assessment_view
from remis.assessments.queries import assessments_of, case_for, get_assessment_for, instrument_in_force
from remis.cases.models import Case
from remis.cases.policy import case_permissions, groups_on_case
from remis.cases.queries import day_format_of, note_record_page_read
from remis.lib.errors import DomainError, NotFound, PermissionDenied
from remis.lib.pages import forbidden


def _refused() -> str:
    return _("Your role cannot record assessments on this case.")


def _case(request: HttpRequest, case_uuid: Any, perm: Perm | None = None) -> Case:
    try:
        return case_for(request.user, case_uuid, perm)
    except NotFound:
        raise Http404 from None


def _assessment(request: HttpRequest, assessment_uuid: Any) -> Assessment:
    try:
        return get_assessment_for(request.user, assessment_uuid)
    except NotFound:
        raise Http404 from None


def _panel(case: Case) -> str:
    return reverse("case_detail", args=[case.uuid]) + "#assessment"


@login_required
def case_assessments(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    """Every assessment of the case, latest first, with the instrument version of each."""
    case = _case(request, case_uuid)
    note_record_page_read(request, case)
    permissions = case_permissions(request.user, case)
    return render(
        request,
        "assessments/list.html",
        {
            "case": case,
            "assessments": list(assessments_of(case)),
            "can_record": Perm.ASSESSMENT_RECORD in permissions,
        },
    )


def _render_form(
    request: HttpRequest, case: Case, form: AssessmentForm, assessment: Assessment | None
) -> Any:
    return render(
        request,
        "assessments/form.html",
        {"case": case, "form": form, "assessment": assessment, "instrument": form.instrument_form.instrument},
    )


@login_required
def record_assessment(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case = _case(request, case_uuid)
    if Perm.ASSESSMENT_RECORD not in case_permissions(request.user, case):
        return forbidden(request, _refused())
    instrument = instrument_in_force()
    if instrument is None:
        messages.error(request, _("No assessment instrument is in force on this day."))
        return redirect(_panel(case))
    groups = groups_on_case(request.user, case)
    today = timezone.localdate()
    # What the case already says (the returnee's age, the household's size), to check, not type.
    initial = {"assessed_on": today, **AssessmentForm.initial_from(actions.known_answers(case, today))}
    form = AssessmentForm(Form.of(instrument), groups, initial=initial)
    if request.method == "POST":
        form = AssessmentForm(Form.of(instrument), groups, request.POST)
        if form.is_valid():
            complete = "complete" in request.POST
            try:
                assessment = actions.record_assessment(
                    request.user,
                    case,
                    form.answers(),
                    assessed_on=form.cleaned_data["assessed_on"],
                    complete=complete,
                    instrument=instrument,
                )
            except PermissionDenied:
                return forbidden(request, _refused())
            except DomainError as error:
                form.add_domain_errors(error.errors)
            else:
                messages.success(
                    request, _("The assessment is completed.") if complete else _("The draft is saved.")
                )
                return redirect("assessment_detail", assessment_uuid=assessment.uuid)
    return _render_form(request, case, form, None)


@login_required
def edit_assessment(request: HttpRequest, assessment_uuid: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_uuid)
    case = assessment.case
    if Perm.ASSESSMENT_RECORD not in case_permissions(request.user, case):
        return forbidden(request, _refused())
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("assessment_detail", assessment_uuid=assessment.uuid)
    groups = groups_on_case(request.user, case)
    instrument_form = Form.of(assessment.instrument)
    initial = {
        **AssessmentForm.initial_from(assessment.answers),
        "assessed_on": assessment.assessed_on,
        "version": assessment.version,
    }
    form = AssessmentForm(instrument_form, groups, initial=initial)
    if request.method == "POST":
        form = AssessmentForm(instrument_form, groups, request.POST)
        if form.is_valid():
            complete = "complete" in request.POST
            read_at = assessment.version
            try:
                actions.save_assessment(
                    request.user,
                    assessment,
                    form.answers(),
                    expected_version=form.cleaned_data["version"] or 0,
                    assessed_on=form.cleaned_data["assessed_on"],
                    complete=complete,
                )
            except PermissionDenied:
                return forbidden(request, _refused())
            except DomainError as error:
                form.add_domain_errors(error.errors)
            else:
                if complete:
                    messages.success(request, _("The assessment is completed."))
                elif assessment.version == read_at:  # saved untouched: the action wrote nothing
                    messages.success(request, _("Nothing was changed."))
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("assessment_detail", assessment_uuid=assessment.uuid)
    return _render_form(request, case, form, assessment)


@login_required
def assessment_detail(request: HttpRequest, assessment_uuid: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_uuid)
    case = assessment.case
    note_record_page_read(request, case)
    permissions = case_permissions(request.user, case)
    view = assessment_view(assessment, groups_on_case(request.user, case))
    can_record = Perm.ASSESSMENT_RECORD in permissions
    confirm = None
    if can_record and view.pending_flags:
        confirm = ConfirmFlagsForm(
            [(f.code, f.label) for f in view.pending_flags],
            initial={"version": assessment.version, "flags": []},
            auto_id="confirm-%s",
        )
    return render(
        request,
        "assessments/detail.html",
        {
            "case": case,
            "view": view,
            "can_record": can_record,
            "confirm": confirm,
            "day_format": day_format_of(case),
        },
    )


@login_required
@require_POST
def confirm_flags(request: HttpRequest, assessment_uuid: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_uuid)
    view = assessment_view(assessment, groups_on_case(request.user, assessment.case))
    form = ConfirmFlagsForm(
        [(f.code, f.label) for f in view.pending_flags], request.POST, auto_id="confirm-%s"
    )
    if not form.is_valid():
        messages.error(request, _("Choose flags from the list."))
    else:
        try:
            actions.confirm_flags(
                request.user,
                assessment,
                form.cleaned_data["flags"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDenied:
            return forbidden(request, _refused())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The flags are decided; confirmed flags are set on the case."))
    return redirect("assessment_detail", assessment_uuid=assessment.uuid)


@login_required
@require_POST
def revise_assessment(request: HttpRequest, assessment_uuid: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_uuid)
    try:
        draft = actions.revise_assessment(request.user, assessment)
    except PermissionDenied:
        return forbidden(request, _refused())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessment_detail", assessment_uuid=assessment.uuid)
    return redirect("assessment_edit", assessment_uuid=draft.uuid)
