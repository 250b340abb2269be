"""Plan pages: the plan of a case (its versions, needs, goals, items, agreement, approvals),
an item (edit, status, instalments), two versions side by side, work lists, budgets and
exchange rates. Views parse, call an action, and render; the actions decide."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.assistance import actions
from remis.assistance.actions.approvals import level_label
from remis.assistance.actions.payments import RateRecordedMeanwhile, may_record_rates
from remis.assistance.actions.plans import plan_stage_reached
from remis.assistance.budget_files import budget_csv
from remis.assistance.configuration import active_types, proposed_types
from remis.assistance.forms import (
    AgreementForm,
    BudgetFilterForm,
    DecisionForm,
    GoalForm,
    InstalmentForm,
    InstalmentsDueFilterForm,
    ItemForm,
    ItemStatusForm,
    NeedForm,
    NewVersionForm,
    RateForm,
    VoidInstalmentForm,
)
from remis.assistance.models import (
    ITEM_TRANSITIONS,
    AssistanceItem,
    Dimension,
    ExchangeRate,
    Goal,
    Instalment,
    ItemStatus,
    Plan,
    PlanStatus,
    PlanVersion,
    plain_rate,
)
from remis.assistance.queries import (
    approved_in_round,
    approvers_of,
    awaiting_approval,
    budget_of,
    budget_totals,
    compare,
    decisions_of,
    get_item_for,
    instalments_due,
    instalments_of,
    items_with_paid,
    mask,
    mask_goals,
    mask_needs,
    paid_of,
    plan_of,
    requirement_of,
    returned_to,
    totals_by_currency,
    versions_of,
)
from remis.audit.actions import record
from remis.audit.models import ReadChannel
from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.cases.policy import case_permissions, groups_everywhere, groups_in
from remis.cases.queries import note_opened, note_record_page_read
from remis.cases.views.common import apply_errors, case_or_404
from remis.lib.errors import Conflict, DomainError, Duplicate, NotFound, PermissionDenied
from remis.lib.forms import refusal_with_typing, typed_list, with_typing
from remis.lib.money import amount_text
from remis.lib.pages import forbidden, readers_of_cases_only
from remis.lib.paging import page_links, page_number, paginate
from remis.lib.posted import posted_id


def _plan_url(case: Case, anchor: str = "") -> str:
    return reverse("plan_detail", args=[case.uuid]) + (f"#{anchor}" if anchor else "")


def _shown_version(request: HttpRequest, plan: Plan) -> PlanVersion:
    number = posted_id(request.GET.get("v", ""))
    if number is not None:
        found = plan.versions.filter(number=number).first()
        if found is not None:
            return found
    assert plan.latest is not None
    return plan.latest


def _forms(version: PlanVersion, case: Case, groups: frozenset[str]) -> dict[str, forms.Form]:
    """The plan page's forms, unbound; a posted one is bound by `_bind`."""
    needs = mask_needs(list(version.needs.all()), groups)
    goals = mask_goals(list(Goal.objects.filter(need__version=version).select_related("need")), groups)
    initial = {"expected_version": version.version}
    today = timezone.localdate()
    return {
        "need": NeedForm(initial=initial, auto_id="need-%s"),
        "goal": GoalForm(initial=initial, needs=needs, auto_id="goal-%s"),
        "item": ItemForm(
            initial={**initial, "currency": "", "level": "individual", "route": "direct"},
            goals=goals,
            proposed=proposed_types(case, today),
            types=active_types(),
            auto_id="item-%s",
        ),
        "agreement": AgreementForm(initial={**initial, "agreed_on": today}, auto_id="agreement-%s"),
        "decision": DecisionForm(initial=initial, auto_id="decision-%s"),
        "new_version": NewVersionForm(auto_id="new-version-%s"),
    }


def _bind(step: str, version: PlanVersion, case: Case, request: HttpRequest) -> forms.Form:
    groups = groups_in(case_permissions(request.user, case))
    needs = mask_needs(list(version.needs.all()), groups)
    goals = mask_goals(list(Goal.objects.filter(need__version=version).select_related("need")), groups)
    data, files = request.POST, request.FILES
    prefix = {"new_version": "new-version"}.get(step, step)
    auto_id = f"{prefix}-%s"
    if step == "need":
        return NeedForm(data, auto_id=auto_id)
    if step == "goal":
        return GoalForm(data, needs=needs, auto_id=auto_id)
    if step == "item":
        return ItemForm(
            data,
            goals=goals,
            proposed=proposed_types(case, timezone.localdate()),
            types=active_types(),
            auto_id=auto_id,
        )
    if step == "agreement":
        return AgreementForm(data, files, auto_id=auto_id)
    if step in ("submit", "approve", "return"):
        return DecisionForm(data, auto_id="decision-%s")
    if step == "new_version":
        return NewVersionForm(data, auto_id=auto_id)
    raise Http404


def _run(step: str, request: HttpRequest, form: forms.Form, version: PlanVersion, plan: Plan) -> str:
    """Call the step's action; returns the success message."""
    actor = request.user
    values = form.cleaned_data
    expected = values.get("expected_version")
    if step == "need":
        actions.add_need(
            actor,
            version,
            dimension=values["dimension"],
            description=values["description"],
            expected_version=expected,
        )
        return _("The need is added.")
    if step == "goal":
        need = version.needs.filter(pk=values["need"]).first()
        if need is None:
            raise NotFound()
        actions.add_goal(actor, need, description=values["description"], expected_version=expected)
        return _("The goal is added.")
    if step == "item":
        goal = Goal.objects.filter(need__version=version, pk=values["goal"]).first()
        if goal is None:
            raise NotFound()
        actions.add_item(actor, goal, form.data_for_action(), expected_version=expected)  # type: ignore[attr-defined]
        return _("The item is added.")
    if step == "agreement":
        actions.record_agreement(
            actor,
            version,
            agreed_on=values["agreed_on"],
            upload=values["agreement_file"],
            expected_version=expected,
        )
        return _("The returnee's agreement is recorded.")
    if step == "submit":
        actions.submit_plan(actor, version, expected_version=expected)
        return _("The plan is submitted for approval.")
    if step == "approve":
        decided = actions.approve_plan(actor, version, comment=values["comment"], expected_version=expected)
        if decided.status == PlanStatus.APPROVED:
            return _("The plan is approved.")
        return _("Your approval is recorded; the plan needs another approver.")
    if step == "return":
        actions.return_plan(actor, version, comment=values["comment"], expected_version=expected)
        return _("The plan is returned with your comment.")
    if step == "new_version":
        actions.open_new_version(actor, plan, reason=values["reason"])
        return _("A new version is open: change it, then submit it.")
    raise Http404


STRUCTURE_STEPS = ("need_change", "need_remove", "goal_change", "goal_remove")


def _change_structure(request: HttpRequest, step: str, version: PlanVersion, case: Case) -> HttpResponse:
    """Reword or remove a need or a goal, from the small forms beside each one. The outcome
    (done, or why not) is said as a message on the plan, at the need or goal concerned."""
    post = request.POST
    target_id = post.get("need" if step.startswith("need") else "goal", "")
    expected = post.get("expected_version", "")
    expected_version = posted_id(expected)
    if step.startswith("need"):
        target: Any = version.needs.filter(pk=key).first() if (key := posted_id(target_id)) else None
    else:
        target = (
            Goal.objects.filter(need__version=version, pk=key).first()
            if (key := posted_id(target_id))
            else None
        )
    if target is None:
        raise Http404
    anchor = "plan"
    # The need or goal as read: an untouched save (the action then writes nothing) is told
    # as such, not as a change.
    read = (getattr(target, "dimension", ""), target.description)
    try:
        if step == "need_change":
            actions.change_need(
                request.user,
                target,
                dimension=post.get("dimension", ""),
                description=post.get("description", ""),
                expected_version=expected_version,
            )
            message, anchor = _("The need is changed."), f"need-{target.pk}"
        elif step == "need_remove":
            actions.remove_need(request.user, target, expected_version=expected_version)
            message = _("The need is removed.")
        elif step == "goal_change":
            actions.change_goal(
                request.user,
                target,
                description=post.get("description", ""),
                expected_version=expected_version,
            )
            message, anchor = _("The goal is changed."), f"goal-{target.pk}"
        else:
            actions.remove_goal(request.user, target, expected_version=expected_version)
            message = _("The goal is removed.")
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        refusal = error.message
        if isinstance(error, Conflict) and error.generic:
            # The shared wording says reloading sends the form again: here the page is a
            # redirect, already the plan as it is now.
            refusal = _(
                "Someone else changed this plan after you opened it: nothing was saved. It is "
                "shown as it is now."
            )
        typed = post.get("description", "").strip()
        if step.endswith("_change") and typed:
            # The rewording is not on the page any more: said, to copy (it was lost).
            label = _("Need") if step.startswith("need") else _("Goal")
            refusal = with_typing(refusal, [(str(label), typed)])
        messages.error(request, refusal)
        prefix = "need" if step.startswith("need") else "goal"
        return redirect(_plan_url(case, f"{prefix}-{target.pk}"))
    if step.endswith("_change") and (getattr(target, "dimension", ""), target.description) == read:
        message = _("Nothing was changed.")
    messages.success(request, message)
    return redirect(_plan_url(case, anchor))


@login_required
def plan_detail(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    note_record_page_read(request, case)
    permissions = case_permissions(request.user, case)
    plan = plan_of(case)
    if request.method == "POST" and request.POST.get("step") == "start":
        try:
            actions.start_plan(request.user, case)
        except PermissionDenied:
            return forbidden(request, _("Your role cannot write reintegration plans."))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The plan is started: add the returnee's needs, then the items."))
        return redirect(_plan_url(case))
    if plan is None:
        return render(
            request,
            "assistance/plan_missing.html",
            {
                "case": case,
                # Offered once the case may have one; before, the page says when it may.
                "can_start": Perm.PLAN_EDIT in permissions and plan_stage_reached(case),
                "too_early": Perm.PLAN_EDIT in permissions and not plan_stage_reached(case),
            },
        )
    version = _shown_version(request, plan)
    page_forms = _forms(version, case, groups_in(permissions))
    if request.method == "POST":
        step = request.POST.get("step", "")
        number = posted_id(request.POST.get("number", ""))
        if number is not None:
            version = plan.versions.filter(number=number).first() or version
        if step in STRUCTURE_STEPS:
            return _change_structure(request, step, version, case)
        form = _bind(step, version, case, request)
        if form.is_valid():
            try:
                message = _run(step, request, form, version, plan)
            except PermissionDenied as error:
                return forbidden(request, error.message)
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                if step == "new_version":  # its form shows only while no version is open: said above
                    messages.error(request, error.message)
                    return redirect(_plan_url(case, "plan"))
                version.refresh_from_db()
                if not version.editable and step in ("need", "goal", "item", "agreement"):
                    # Submitted or decided meanwhile (another tab): the form is no longer on
                    # the page to carry the refusal, which came back silent with the typing
                    # lost. Said above the plan, with what was typed, to copy.
                    messages.error(request, refusal_with_typing(error.message, form))
                    return render(
                        request,
                        "assistance/plan.html",
                        _plan_context(request, case, plan, version, page_forms, permissions),
                    )
                decided = _decided_meanwhile(step, version, request.user, isinstance(error, Conflict))
                if decided:
                    # Approved or returned meanwhile by a colleague: the decision form is no
                    # longer drawn, and an approver's comment went with it, unsaid.
                    messages.error(request, refusal_with_typing(decided, form))
                    return render(
                        request,
                        "assistance/plan.html",
                        _plan_context(request, case, plan, version, page_forms, permissions),
                    )
                apply_errors(form, error)
                if isinstance(error, Conflict) and "expected_version" in form.fields:
                    # The page now shows the plan as stored; what was typed stays, and a
                    # second send, made knowing the other change, is not refused again.
                    version.refresh_from_db()
                    form.data = {**dict(form.data.items()), "expected_version": str(version.version)}
            else:
                messages.success(request, message)
                return redirect(_plan_url(case, "plan"))
        page_forms["decision" if step in ("submit", "approve", "return") else step] = form
    return render(
        request, "assistance/plan.html", _plan_context(request, case, plan, version, page_forms, permissions)
    )


def _decided_meanwhile(step: str, version: PlanVersion, reader: Any, outdated: bool) -> str:
    """Why an approval or a return was refused when the plan was decided since the page was
    opened (its status, who decided and when), else blank: the refusal spoke of "someone"
    and of opening the page again, on a page already showing the decided plan. A first of
    two approvals given meanwhile (`outdated`: the refusal was the version's) is said too."""
    if step not in ("approve", "return"):
        return ""
    if version.status == PlanStatus.SUBMITTED:
        first = (
            version.decisions.filter(round=version.round).select_related("by").order_by("-at", "-id").first()
        )
        if not outdated or first is None:
            return ""
        when = date_format(timezone.localtime(first.at), "SHORT_DATETIME_FORMAT")
        if first.by_id == reader.pk:
            return str(
                _("Nothing was recorded: you approved this plan on %(when)s, from another page or tab.")
                % {"when": when}
            )
        return str(
            _(
                "Nothing was recorded: meanwhile %(name)s approved this plan on %(when)s, and it waits "
                "for another approval. Check it as it is now, then decide."
            )
            % {"name": first.by.display_name, "when": when}
        )
    said = _("Nothing was recorded: meanwhile the plan became “%(status)s”.") % {
        "status": version.get_status_display()
    }
    last = version.decisions.select_related("by").order_by("-at", "-id").first()
    if last is None:
        return str(said)
    when = date_format(timezone.localtime(last.at), "SHORT_DATETIME_FORMAT")
    return str(
        _("%(said)s Decided by %(name)s on %(when)s.")
        % {"said": said, "name": last.by.display_name, "when": when}
    )


def _plan_context(
    request: HttpRequest,
    case: Case,
    plan: Plan,
    version: PlanVersion,
    page_forms: dict[str, forms.Form],
    permissions: frozenset[str],
) -> dict[str, Any]:
    today = timezone.localdate()
    actor = request.user
    is_latest = version.pk == plan.latest_id
    rows = items_with_paid(version, groups_in(permissions))
    by_goal: dict[int, list[Any]] = {}
    for row in rows:
        by_goal.setdefault(row.item.goal_id, []).append(row)
    needs = mask_needs(
        list(
            version.needs.prefetch_related(
                Prefetch("goals", queryset=Goal.objects.order_by("position", "id"))
            )
        ),
        groups_in(permissions),
    )
    own = actor.pk in (version.drafted_by_id, version.submitted_by_id)
    # Approved by them already in this round: the form was offered and every click refused.
    approved_by_me = version.status == PlanStatus.SUBMITTED and approved_in_round(version, actor)
    open_case = case.stage != Stage.CLOSED  # a closed case's plan is read, never changed
    needed = (
        requirement_of(version, today)
        if version.status in (PlanStatus.SUBMITTED, PlanStatus.DRAFT, PlanStatus.RETURNED)
        else None
    )
    approvers = approvers_of(version, needed.level) if needed else None
    return {
        "case": case,
        "plan": plan,
        "version": version,
        "versions": versions_of(plan),
        "needs": [(need, [(goal, by_goal.get(goal.pk, [])) for goal in need.goals.all()]) for need in needs],
        "totals": totals_by_currency(version),
        "budget": budget_of(plan, today),
        "needed": needed,
        "needed_label": level_label(needed.level) if needed else "",
        "approvers": approvers,
        "decisions": decisions_of(version),
        "forms": page_forms,
        "can_edit": open_case and Perm.PLAN_EDIT in permissions and version.editable and is_latest,
        "can_submit": open_case and Perm.PLAN_EDIT in permissions and version.editable and is_latest,
        # An approver who approved may still return the plan; Approve is offered only when
        # the level can be met and they have not approved yet.
        "can_decide": open_case
        and Perm.PLAN_APPROVE in permissions
        and version.status == PlanStatus.SUBMITTED
        and not own,
        "can_approve": not approved_by_me and (approvers is None or approvers.enough),
        "approved_by_me": approved_by_me,
        "can_open": open_case
        and Perm.PLAN_EDIT in permissions
        and is_latest
        and version.status == PlanStatus.APPROVED,
        "can_pay": open_case and Perm.PAYMENT_RECORD in permissions,
        "case_closed": not open_case,
        "dimensions": Dimension.choices,
    }


def _closed_reason(case_closed: bool, version: PlanVersion, item: AssistanceItem, step: str) -> str:
    """Why a form sent from an older page no longer applies: nothing was recorded."""
    if case_closed:
        return _("The case is closed now: nothing was recorded. Reopen it to change its plan.")
    if step in ("edit", "remove") and version.status == PlanStatus.SUBMITTED:
        # "Open a new version" is offered on an approved plan only: a submitted one is
        # returned by an approver first.
        return _(
            "Version %(number)s of the plan is “%(status)s” now: nothing was saved. Ask an "
            "approver to return it to change the item."
        ) % {"number": version.number, "status": version.get_status_display()}
    if step in ("edit", "remove"):
        return _(
            "Version %(number)s of the plan is “%(status)s” now: nothing was saved. Open a new "
            "version to change the item."
        ) % {"number": version.number, "status": version.get_status_display()}
    if version.status != PlanStatus.APPROVED:  # replaced by a newer version, the item as it was
        return _(
            "Version %(number)s of the plan is “%(status)s” now: nothing was recorded. Record it on "
            "the item of the plan in force."
        ) % {"number": version.number, "status": version.get_status_display()}
    return _("This item is “%(status)s” now: nothing was recorded.") % {"status": item.get_status_display()}


def _item_values(item: AssistanceItem, version: PlanVersion) -> dict[str, Any]:
    """The item's edit form's values as saved."""
    return {
        "expected_version": version.version,
        "goal": item.goal_id,
        "kind": item.kind.code,
        "description": item.description,
        "level": item.level,
        "modality": item.modality,
        "route": item.route,
        "amount": amount_text(item.amount, item.currency),  # no ",00" for a currency without cents
        "currency": item.currency,
        "starts_on": item.starts_on.isoformat() if item.starts_on else "",
        "ends_on": item.ends_on.isoformat() if item.ends_on else "",
    }


def _item_form_as_saved(item: AssistanceItem, version: PlanVersion, goals: Any, proposed: Any) -> ItemForm:
    """The edit form bound to the item as saved now, so that a refusal can be attached to it."""
    saved = ItemForm(
        {k: "" if v is None else str(v) for k, v in _item_values(item, version).items()},
        goals=goals,
        proposed=proposed,
        types=active_types(),
        auto_id="item-%s",
    )
    saved.is_valid()
    return saved


def _typed_otherwise(saved: ItemForm, typed_form: ItemForm) -> str:
    """The conflict's message: what is shown is saved, and each field the person had typed
    otherwise (compared as read: "700" is "700.00"), with what they typed, to apply again
    if it still holds."""
    before, after = saved.cleaned_data, typed_form.cleaned_data
    typed = [
        (str(field.label), str(typed_form.data.get(name, "")).strip())
        for name, field in saved.fields.items()
        if not field.widget.is_hidden and name in after and after.get(name) != before.get(name)
    ]
    if not typed:
        return str(_("Someone else saved this item after you opened it: the form shows it as saved now."))
    return str(
        _(
            "Someone else saved this item after you opened it: the form shows it as saved now. "
            "You had typed otherwise: %(typed)s. Apply it again if it still holds."
        )
        % {"typed": typed_list(typed)}
    )


@login_required
def plan_item(request: HttpRequest, case_uuid: str, item_id: int) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    try:
        item = get_item_for(request.user, item_id)
    except NotFound:
        raise Http404 from None
    if item.version.plan.case_id != case.pk:
        raise Http404
    note_record_page_read(request, case)
    version = item.version
    permissions = case_permissions(request.user, case)
    item.goal.need  # noqa: B018  (read, so that `mask` marks the need and goal shown below)
    mask([item], groups_in(permissions))
    today = timezone.localdate()
    goals = mask_goals(
        list(Goal.objects.filter(need__version=version).select_related("need")), groups_in(permissions)
    )
    proposed = proposed_types(case, today)  # the types the assessment proposed, a group apart
    edit = ItemForm(
        initial=_item_values(item, version),
        goals=goals,
        proposed=proposed,
        types=active_types(),
        auto_id="item-%s",
    )
    choices = [(s, str(ItemStatus(s).label)) for s in ITEM_TRANSITIONS[item.status]]
    instalments = instalments_of(item)
    status_form = ItemStatusForm(
        initial={"seen_status": item.status, "seen_paid": paid_of(instalments)},
        choices=choices,
        auto_id="status-%s",
    )
    pay = InstalmentForm(
        initial={"paid_on": today, "currency": item.currency, "seen_paid": paid_of(instalments)},
        auto_id="pay-%s",
    )
    may_void = Perm.PAYMENT_RECORD in permissions
    # One small form per payment that stands; the one sent back with its errors if refused.
    voids = {
        i.pk: VoidInstalmentForm(initial={"instalment": i.pk}, auto_id=f"void-{i.pk}-%s")
        for i in instalments
        if may_void and i.voided_at is None
    }
    void: VoidInstalmentForm | None = None
    # The forms the item as it is now no longer takes (its plan not in force, or the item
    # delivered or cancelled), and those the page offers the reader.
    case_closed = case.stage == Stage.CLOSED
    closed = {
        "edit": case_closed or not version.editable,
        "remove": case_closed or not version.editable,
        "status": case_closed or version.status != PlanStatus.APPROVED or not choices,
        "pay": case_closed
        or version.status != PlanStatus.APPROVED
        or item.status not in (ItemStatus.APPROVED, ItemStatus.IN_PROGRESS),
    }
    shown = {
        "edit": Perm.PLAN_EDIT in permissions and not closed["edit"] and not item.restricted,
        "status": Perm.PLAN_EDIT in permissions and not closed["status"],
        "pay": Perm.PAYMENT_RECORD in permissions and not closed["pay"],
    }
    if request.method == "POST":
        step = request.POST.get("step", "")
        if closed.get(step):
            # Sent from a page opened before the case was closed, the plan submitted or the
            # item cancelled or delivered: the form is gone from the page as it is now (an
            # edit's refusal, attached to it, was lost with it), so it is said above the item.
            messages.error(request, _closed_reason(case_closed, version, item, step))
            return redirect(reverse("plan_item", args=[case.uuid, item.pk]))
        try:
            if step == "edit":
                edit = ItemForm(
                    request.POST, goals=goals, proposed=proposed, types=active_types(), auto_id="item-%s"
                )
                if edit.is_valid():
                    read_at = version.version
                    actions.update_item(
                        request.user,
                        item,
                        edit.data_for_action(),
                        expected_version=edit.cleaned_data["expected_version"],
                    )
                    # The plan version's lock moves with every write: still, nothing was written.
                    unchanged = item.version.version == read_at
                    messages.success(
                        request, _("Nothing was changed.") if unchanged else _("The item is saved.")
                    )
                    return redirect(_plan_url(case, f"item-{item.pk}"))
            elif step == "remove":
                raw = request.POST.get("expected_version", "")
                actions.remove_item(request.user, item, expected_version=posted_id(raw) or 0)
                messages.success(request, _("The item is removed."))
                return redirect(_plan_url(case, "plan"))
            elif step == "status":
                status_form = ItemStatusForm(request.POST, choices=choices, auto_id="status-%s")
                if status_form.is_valid():
                    values = status_form.cleaned_data
                    actions.change_item_status(
                        request.user,
                        item,
                        values["status"],
                        reason=values["cancel_reason"],
                        seen_status=values["seen_status"] or None,
                        seen_paid=values["seen_paid"],
                    )
                    messages.success(request, _("The item's status is changed."))
                    return redirect(_plan_url(case, f"item-{item.pk}"))
            elif step == "pay":
                pay = InstalmentForm(request.POST, request.FILES, auto_id="pay-%s")
                if pay.is_valid():
                    values = pay.cleaned_data
                    actions.record_instalment(
                        request.user,
                        item,
                        paid_on=values["paid_on"],
                        amount=values["amount"],
                        currency=values["currency"],
                        receipt=values["receipt"],
                        form_key=values["form_key"],
                        seen_paid=values["seen_paid"],
                    )
                    messages.success(request, _("The instalment is recorded."))
                    return redirect(reverse("plan_item", args=[case.uuid, item.pk]))
            elif step == "void":
                raw = request.POST.get("instalment", "")
                voided = next((i for i in instalments if i.pk == posted_id(raw)), None)
                if voided is None:
                    raise Http404
                void = VoidInstalmentForm(request.POST, auto_id=f"void-{voided.pk}-%s")
                voids[voided.pk] = void
                if void.is_valid():
                    actions.void_instalment(request.user, voided, reason=void.cleaned_data["reason"])
                    messages.success(request, _("The payment is voided: it no longer counts as paid."))
                    return redirect(reverse("plan_item", args=[case.uuid, item.pk]) + "#instalments")
            else:
                raise Http404
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except DomainError as error:
            target = void if step == "void" else {"edit": edit, "status": status_form, "pay": pay}.get(step)
            # A payment form sent twice: its message, over a new form (the old one's key is
            # spent).
            if target is None or isinstance(error, Duplicate):
                messages.error(request, error.message)
                return redirect(reverse("plan_item", args=[case.uuid, item.pk]))
            if step == "edit" and isinstance(error, Conflict):
                # The form shows the item as saved now, and says what the person had typed
                # otherwise: their typing kept over the newer version, a second send undid
                # a colleague's change (900 back over the 700 just saved) without a word.
                version.refresh_from_db()
                item.refresh_from_db()
                typed_form = edit
                target = edit = _item_form_as_saved(item, version, goals, proposed)
                error = Conflict(_typed_otherwise(edit, typed_form))
            if step == "pay" and isinstance(error, Conflict):
                # What was typed stays (the receipt must be chosen again), over what is paid
                # now, so that a second send, made knowing the other payment, is recorded.
                data = request.POST.copy()
                data["seen_paid"] = str(paid_of(instalments))
                target = pay = InstalmentForm(data, auto_id="pay-%s")
                pay.is_valid()
            if step == "status" and isinstance(error, Conflict):
                # The page shows the item as it is now: the choice and reason typed are kept,
                # to be sent again once the person has seen what changed.
                data = request.POST.copy()
                data.update({"seen_status": item.status, "seen_paid": str(paid_of(instalments))})
                target = status_form = ItemStatusForm(data, choices=choices, auto_id="status-%s")
                status_form.is_valid()
            apply_errors(target, error)
    return render(
        request,
        "assistance/item.html",
        {
            "case": case,
            "item": item,
            "version": version,
            "instalments": [(i, voids.get(i.pk)) for i in instalments],
            "paid": paid_of(instalments),
            "edit": edit if shown["edit"] else None,
            "status_form": status_form if shown["status"] else None,
            "pay": pay if shown["pay"] else None,
            "case_closed": case_closed,
        },
    )


@login_required
def plan_compare(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    plan = plan_of(case)
    if plan is None:
        raise Http404
    note_record_page_read(request, case)
    versions = versions_of(plan)
    numbers = [v.number for v in versions]

    def pick(name: str, default: int) -> PlanVersion:
        raw = request.GET.get(name, "")
        number = posted_id(raw) if posted_id(raw) in numbers else default
        return next(v for v in versions if v.number == number)

    right = pick("b", numbers[0])
    left = pick("a", numbers[1] if len(numbers) > 1 else numbers[0])
    return render(
        request,
        "assistance/compare.html",
        {
            "case": case,
            "versions": versions,
            "left": left,
            "right": right,
            "rows": compare(left, right, groups_in(case_permissions(request.user, case))),
            "left_totals": totals_by_currency(left),
            "right_totals": totals_by_currency(right),
        },
    )


def _download(
    request: HttpRequest, case: Case, obj: Any, file: Any, content_type: str, name: str
) -> HttpResponseBase:
    if not file:
        raise Http404
    record(request.user, "assistance.document_read", obj, case_uuid=case.uuid)
    note_opened(request.user, case, ReadChannel.DOCUMENT)  # the read log, as for the case's files
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type, "")
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=True, filename=f"{name}{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def agreement_download(request: HttpRequest, case_uuid: str, number: int) -> HttpResponseBase:
    case = case_or_404(request, case_uuid)
    version = PlanVersion.objects.filter(plan__case=case, number=number).first()
    if version is None:
        raise Http404
    return _download(
        request,
        case,
        version,
        version.agreement_file,
        version.agreement_type,
        f"{case.reference}-agreement-v{number}",
    )


@login_required
def receipt_download(request: HttpRequest, case_uuid: str, instalment_id: int) -> HttpResponseBase:
    case = case_or_404(request, case_uuid)
    instalment = Instalment.objects.filter(item__version__plan__case=case, pk=instalment_id).first()
    if instalment is None:
        raise Http404
    return _download(
        request,
        case,
        instalment,
        instalment.receipt,
        instalment.receipt_type,
        f"{case.reference}-receipt-{instalment.pk}",
    )


WORK_KINDS = ("approve", "returned", "instalments")


WORK_PER_PAGE = 50  # rows a page of a plans work list shows


@login_required
def plan_work(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in WORK_KINDS:
        raise Http404
    # A role without the list's right was shown an empty list and a filter form, as if
    # nothing were due: it is told the list is not its work.
    needed, refusal = {
        "approve": (Perm.PLAN_APPROVE, _("Your role does not approve reintegration plans.")),
        "returned": (Perm.PLAN_EDIT, _("Your role cannot write reintegration plans.")),
        "instalments": (Perm.PAYMENT_RECORD, _("Your role does not record payments.")),
    }[kind]
    if not grants_with(request.user, needed):
        return forbidden(request, refusal)
    number = page_number(request)
    form: InstalmentsDueFilterForm | None = None
    params: dict[str, str] = {}
    # Paged: the first 200 were shown, with nothing to say that an office's 395 instalments
    # due went on beyond them.
    if kind == "approve":
        page = paginate(awaiting_approval(request.user), number, per_page=WORK_PER_PAGE)
        title = _("Plans awaiting my approval")
    elif kind == "returned":
        page = paginate(returned_to(request.user), number, per_page=WORK_PER_PAGE)
        title = _("Plans returned to me")
    else:
        form = InstalmentsDueFilterForm(request.GET)
        filters = form.cleaned_data if form.is_valid() else {}
        rows = instalments_due(
            request.user,
            timezone.localdate(),
            mine=bool(filters.get("mine")),
            reference=filters.get("reference", ""),
        )
        if form.errors:
            # Never answer bad filters with another list (every instalment of the office
            # under "Only the cases I follow" ticked): the errors say what to change.
            rows = rows.none()
        page = paginate(rows, number, per_page=WORK_PER_PAGE)
        # A list over many cases shows what the reader reads on every one of them.
        page = replace(page, object_list=mask(list(page.object_list), groups_everywhere(request.user)))
        title = _("Instalments due")
        # The filters kept from page to page.
        params = {"reference": filters.get("reference", ""), "mine": "on" if filters.get("mine") else ""}
        params = {k: v for k, v in params.items() if v}
    context = {"kind": kind, "title": title, "page": page, "form": form, "filtered": bool(params)}
    context["refused"] = bool(form and form.errors)
    context.update(page_links(page, params))
    return render(request, "assistance/work.html", context)


@login_required
@readers_of_cases_only
def budget_page(request: HttpRequest) -> HttpResponse:
    from remis.programmes.queries import visible_programmes

    programmes = visible_programmes(request.user).order_by("name")
    form = BudgetFilterForm(request.GET or None, programmes=[(p.pk, p.name) for p in programmes])
    rows = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        rows = budget_totals(
            request.user,
            timezone.localdate(),
            programme_id=data.get("programme"),
            paid_from=data.get("paid_from"),
            paid_to=data.get("paid_to"),
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(budget_csv(rows), content_type="text/csv; charset=utf-8")
            # The payment days in the name: a quarter's file and the next one's were alike.
            days = "-".join(d.isoformat() for d in (data.get("paid_from"), data.get("paid_to")) if d)
            name = f"assistance-budgets-paid-{days}.csv" if days else "assistance-budgets.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "format" and v])
    return render(
        request,
        "assistance/budget.html",
        {"rows": rows, "form": form, "query": query, "programmes": programmes},
    )


@login_required
def exchange_rates(request: HttpRequest) -> HttpResponse:
    allowed = may_record_rates(request.user)
    form = RateForm(auto_id="rate-%s", initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST":
        if not allowed:
            return forbidden(request, _("Your role cannot record exchange rates."))
        form = RateForm(request.POST, auto_id="rate-%s")
        if form.is_valid():
            try:
                actions.record_exchange_rate(request.user, **form.cleaned_data)
            except RateRecordedMeanwhile as error:
                # Shown the month's rate; sending again replaces it, knowingly.
                data = request.POST.copy()
                data["replaces"] = str(plain_rate(error.stored))
                form = RateForm(data, auto_id="rate-%s")
                form.is_valid()
                apply_errors(form, error)
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The exchange rate is recorded."))
                return redirect("exchange_rates")
    # Paged, newest month first (the first 300 were shown, the older ones nowhere).
    page = paginate(ExchangeRate.objects.select_related("recorded_by"), page_number(request), per_page=50)
    context = {"form": form if allowed else None, "page": page, **page_links(page, {})}
    return render(request, "assistance/rates.html", context)
