"""Community project pages: the list (search, filters, sort, paging), a project with its
participants, the create and edit forms. Filters are GET: the list holds no returnee's data
(participants appear only on a project's page, to those who may read their cases)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from remis.communities import actions
from remis.communities.forms import ParticipantForm, ProjectFilterForm, ProjectForm
from remis.communities.models import MEMBER_AGES, MEMBER_SEXES, CommunityProject, ProjectTag
from remis.communities.queries import (
    can_manage_country,
    counts_people_for,
    filter_projects,
    get_project_for,
    may_add_somewhere,
    may_read_projects,
    participants_for,
    programmes_offered,
    project_countries,
)
from remis.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from remis.lib.pages import forbidden
from remis.lib.paging import page_links, page_number, paginate


def _form_errors(form: Any, error: DomainError) -> None:
    for field, message in error.errors:
        name = field or ""
        if name.startswith("members."):  # "members.F_0_17" is the form's members_F_0_17
            name = "members_" + name.removeprefix("members.")
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        form.add_error(name if shown else None, message)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    if not may_read_projects(request.user):
        return forbidden(request, _("Community projects are for members of an organisation."))
    form = ProjectFilterForm(
        request.GET or None,
        programmes=programmes_offered(request.user),
        countries=project_countries(request.user),
    )
    filters = form.filters()
    rows = filter_projects(request.user, filters)
    if form.is_bound and not form.is_valid():
        rows = rows.none()  # a refused filter lists nothing (the error says why), not every project
    page = paginate(rows, page_number(request))
    params = filters.as_params()

    return render(
        request,
        "communities/project_list.html",
        {
            "form": form,
            "filtered": bool(params) or bool(form.errors),
            "page": page,
            **page_links(page, params),
            "can_manage": may_add_somewhere(request.user),
            "counts_people": counts_people_for(request.user),
        },
    )


def _project(request: HttpRequest, project_uuid: Any) -> CommunityProject:
    try:
        return get_project_for(request.user, project_uuid)
    except (NotFound, PermissionDenied):
        raise Http404 from None


def _members_table(project: CommunityProject) -> list[tuple[str, list[int], int]]:
    """(sex, counts by age group, total) rows of the project's community members."""
    rows = []
    for sex, sex_label in MEMBER_SEXES:
        counts = [int(project.members.get(f"{sex}_{age}") or 0) for age, _a in MEMBER_AGES]
        rows.append((str(sex_label), counts, sum(counts)))
    return rows


@login_required
def project_detail(request: HttpRequest, project_uuid: Any) -> HttpResponse:
    project = _project(request, project_uuid)
    can_manage = can_manage_country(request.user, project.country)
    form = ParticipantForm(initial={"joined_on": timezone.localdate()}, auto_id="participant-%s")
    if request.method == "POST":
        if not can_manage:
            return forbidden(request, _("Your role cannot change community projects in this country."))
        form = ParticipantForm(request.POST, auto_id="participant-%s")
        if form.is_valid():
            try:
                actions.add_participant(
                    request.user, project, form.cleaned_data["reference"], form.cleaned_data["joined_on"]
                )
            except DomainError as error:
                for field, message in error.errors:
                    form.add_error("reference" if field == "case" else (field or None), message)
            else:
                messages.success(request, _("The returnee takes part in the project."))
                return redirect("project_detail", project_uuid=project.uuid)
    counts_people = counts_people_for(request.user)
    return render(
        request,
        "communities/project_detail.html",
        {
            "project": project,
            "counts_people": counts_people,
            "participants": participants_for(request.user, project) if counts_people else None,
            "members": _members_table(project) if counts_people else None,
            "tags": [ProjectTag(t).label for t in project.tags if t in ProjectTag.values],
            "age_labels": [label for _a, label in MEMBER_AGES],
            "can_manage": can_manage,
            "form": form if can_manage else None,
        },
    )


@login_required
@require_POST
def participant_remove(request: HttpRequest, project_uuid: Any, case_id: int) -> HttpResponse:
    project = _project(request, project_uuid)
    try:
        actions.remove_participant(request.user, project, case_id)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The returnee no longer appears among the participants."))
    return redirect("project_detail", project_uuid=project.uuid)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not may_add_somewhere(request.user):
        return forbidden(
            request,
            _(
                "Your role cannot keep community projects in any country of origin of the "
                "programmes you work with."
            ),
        )
    form = ProjectForm(
        request.POST or None, initial={"status": "preparation"}, programmes=programmes_offered(request.user)
    )
    if request.method == "POST" and not form.is_valid():
        form.name_other_problems()
    elif request.method == "POST":
        try:
            project = actions.create_project(request.user, form.values())
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The community project is recorded."))
            return redirect("project_detail", project_uuid=project.uuid)
    return render(request, "communities/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, project_uuid: Any) -> HttpResponse:
    project = _project(request, project_uuid)
    if not can_manage_country(request.user, project.country):
        return forbidden(request, _("Your role cannot change community projects in this country."))
    offered = programmes_offered(request.user, project)
    form = ProjectForm.editing(project, offered)
    if request.method == "POST":
        form = ProjectForm(request.POST, programmes=offered)
        if not form.is_valid():
            form.name_other_problems()
        else:
            try:
                changes = actions.update_project(
                    request.user, project, form.values(), form.cleaned_data["version"]
                )
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except (Conflict, DomainError) as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("The project's details are saved.") if changes else _("Nothing was changed.")
                )
                return redirect("project_detail", project_uuid=project.uuid)
    return render(request, "communities/project_form.html", {"form": form, "project": project})
