"""Referral pages: refer an item (from the case page's panel), a referral (both sides), the
provider inbox, overdue referrals and the funnel (page and CSV). Views parse, call an action
and render; the actions decide, the queries scope."""

from __future__ import annotations

import csv
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
from remis.accounts.scope import grants_with, has_perm
from remis.cases.models import ConsentPurpose
from remis.cases.policy import case_permissions, groups_on_case, shared_groups
from remis.cases.queries import note_record_page_read
from remis.cases.views.common import apply_errors, case_or_404
from remis.lib.countries import country_name, named_countries
from remis.lib.errors import Conflict, DomainError, NotFound
from remis.lib.pages import forbidden
from remis.lib.paging import page_links, page_number, paginate
from remis.lib.spreadsheet import neutralised
from remis.lib.text import labelled
from remis.programmes.queries import get_programme_for, manages_programme, visible_programmes
from remis.referrals import actions
from remis.referrals.configuration import latest_rules_id, rules_history, rules_on
from remis.referrals.forms import AnswerForm, CancelForm, FunnelForm, ReferForm, RulesForm
from remis.referrals.models import REFERRAL_TRANSITIONS, Referral, Status
from remis.referrals.queries import (
    CASE_SIDE,
    FunnelFilters,
    awaiting_answer,
    completed_item_not_delivered,
    declined_to_refer_again,
    funnel,
    funnel_providers,
    funnel_total,
    get_item_for,
    get_referral_for,
    item_chosen,
    overdue,
    overdue_to_answer,
    plan_item_ids,
    provider_side,
    providers_for,
    referable_items,
    shared_rows,
    withdrawn_from_provider,
    withdrawn_sentence,
    withheld_labels,
)
from remis.services.models import Provider


def _panel_url(case: Any) -> str:
    return reverse("case_detail", args=[case.uuid]) + "#referrals"


@login_required
@require_POST
def referral_create(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    form = ReferForm(request.POST)
    if not form.is_valid():
        errors = [
            labelled(form.fields[name].label, message)
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
        return _refer_again(request, case, form, errors)
    try:
        item = get_item_for(request.user, case, form.cleaned_data["item"])
        provider = Provider.objects.filter(uuid=form.cleaned_data["provider"]).first()
        if provider is None:
            raise NotFound()
        actions.refer_item(request.user, item, provider, message=form.cleaned_data["message"])
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _refer_again(request, case, form, [error.message])
    messages.success(request, _("The item was referred to %(provider)s.") % {"provider": provider.name})
    return redirect(_panel_url(case))


def _refer_again(request: HttpRequest, case: Any, form: ReferForm, errors: list[str]) -> HttpResponse:
    """A referral refused: the form again, on a page of its own, with what was chosen and
    typed (the case page's panel, reached by a redirect, would have lost the message)."""
    if Perm.REFERRAL_SEND not in case_permissions(request.user, case):
        return forbidden(request, errors[0] if errors else _("Your role cannot refer this case."))
    data = form.cleaned_data  # validated by the caller: what was valid of it
    chosen = {
        "item": data.get("item"),
        "provider": data.get("provider"),
        "message": data.get("message", form.data.get("message", "")),
    }
    items = referable_items(case)
    # Without an item left, no provider either: every active one was offered, sector or not.
    providers = providers_for(case, item_chosen(items, chosen["item"])) if items else []
    # Consent withdrawn meanwhile (another tab): the refusal, and no form that can only be
    # refused again (the Refer button stayed under the message).
    consent = shared_groups(case, ConsentPurpose.PROVIDERS) is not None
    panel = {
        "case": case,
        "items": items if consent else [],
        "providers": providers,
        "chosen_item": chosen["item"],
        "consent": consent,
    }
    return render(
        request, "referrals/refer.html", {"c": panel, "chosen": chosen, "errors": errors}, status=400
    )


@login_required
def referral_providers(request: HttpRequest, case_uuid: str) -> HttpResponse:
    """The refer form's provider options for the item chosen (`?item=`): drawn again when
    another item is chosen, so that only providers the referral would accept are offered."""
    case = case_or_404(request, case_uuid)
    if Perm.REFERRAL_SEND not in case_permissions(request.user, case):
        return forbidden(request, _("Your role cannot refer this case."))
    items = referable_items(case)
    chosen = item_chosen(items, request.GET.get("item"))
    return render(
        request,
        "referrals/_provider_options.html",
        {"providers": providers_for(case, chosen), "chosen": {"provider": None}},
    )


class _Withdrawn(Exception):
    """A referral the reader's organisation was sent, taken out of its view since."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def _referral_or_404(request: HttpRequest, referral_uuid: str) -> tuple[Referral, str]:
    try:
        return get_referral_for(request.user, referral_uuid)
    except NotFound:
        cause = withdrawn_from_provider(request.user, referral_uuid)
        if cause:
            raise _Withdrawn(cause) from None
        raise Http404 from None


def _withdrawn_page(request: HttpRequest, cause: str) -> HttpResponse:
    """What a provider finds at a referral taken out of its view (a consent withdrawn, the
    referral cancelled): why, and nothing of the case."""
    return render(
        request,
        "referrals/withdrawn.html",
        {"cause": cause, "sentence": withdrawn_sentence(cause)},
        status=410,
    )


@login_required
def referral_detail(request: HttpRequest, referral_uuid: str) -> HttpResponse:
    try:
        referral, side = _referral_or_404(request, referral_uuid)
    except _Withdrawn as withdrawn:
        if request.method == "POST":
            # An answer sent from a page opened before the referral left the provider's view:
            # the page that says why must also say that the answer was not kept.
            messages.error(
                request,
                _("%(what)s: meanwhile the referral became “%(status)s”.")
                % {"what": _("Your answer was not recorded"), "status": Status.CANCELLED.label},
            )
        return _withdrawn_page(request, withdrawn.cause)
    answer_form = AnswerForm(
        auto_id="answer-%s", initial={"version": referral.version}, status_now=referral.status
    )
    cancel_form = CancelForm(auto_id="cancel-%s", initial={"version": referral.version})
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "answer":
                answer_form = AnswerForm(request.POST, auto_id="answer-%s")
                if answer_form.is_valid():
                    data = answer_form.cleaned_data
                    actions.answer_referral(
                        request.user,
                        referral,
                        data["status"],
                        expected_version=data["version"],
                        reason=data["reason"],
                        outcome=data["outcome"],
                        outcome_on=data["outcome_on"],
                        note=data["note"],
                    )
                    messages.success(request, _("The answer was recorded."))
                    return redirect(reverse("referral_detail", args=[referral.uuid]))
            elif step == "cancel" and side == CASE_SIDE:
                cancel_form = CancelForm(request.POST, auto_id="cancel-%s")
                if cancel_form.is_valid():
                    actions.cancel_referral(
                        request.user,
                        referral,
                        reason=cancel_form.cleaned_data["reason"],
                        expected_version=cancel_form.cleaned_data["version"],
                    )
                    messages.success(request, _("The referral was cancelled."))
                    return redirect(reverse("referral_detail", args=[referral.uuid]))
            else:
                raise Http404
        except DomainError as error:
            form = answer_form if step == "answer" else cancel_form
            if isinstance(error, Conflict):
                # About the form, not its hidden version field (shown as "version: …").
                form.add_error(None, error.message)
            else:
                apply_errors(form, error)
            referral.refresh_from_db()
            if not referral.open:
                # Closed meanwhile by someone else: the form, and the error in it, are no
                # longer shown; say at the top of the page that nothing was recorded.
                lost = (
                    _("Your answer was not recorded")
                    if step == "answer"
                    else _("Your cancellation was not recorded")
                )
                messages.error(
                    request,
                    _("%(what)s: meanwhile the referral became “%(status)s”.")
                    % {"what": lost, "status": referral.get_status_display()},
                )
    if answer_form.is_bound:
        answer_form.offer_for(referral.status)  # drawn again: what the referral takes now
    may_answer = False
    if side != CASE_SIDE or referral.provider.organisation_id is None:
        try:
            actions.answering_on_behalf(request.user, referral)
            may_answer = True
        except DomainError:
            may_answer = False
    may_cancel = side == CASE_SIDE and Perm.REFERRAL_SEND in case_permissions(request.user, referral.case)
    if side == CASE_SIDE:  # a provider reads what was sent to it, not the case
        note_record_page_read(request, referral.case)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "side": side,
            "case_side": side == CASE_SIDE,
            "rows": shared_rows(
                referral, groups_on_case(request.user, referral.case) if side == CASE_SIDE else None
            ),
            "withheld": withheld_labels(referral),
            "next": REFERRAL_TRANSITIONS.get(referral.status, ()),
            "may_answer": may_answer and referral.open,
            "may_cancel": may_cancel and referral.open,
            "answer_form": answer_form,
            "cancel_form": cancel_form,
            "plan_item_id": plan_item_ids([referral]).get(referral.pk) if side == CASE_SIDE else None,
        },
    )


def _list_page(
    request: HttpRequest, rows: Any, params: dict[str, str], context: dict[str, Any]
) -> HttpResponse:
    """A referral list, 50 a page, its paging links keeping the filter. A list of completed
    referrals links each to its plan item, where the item is marked delivered."""
    page = paginate(rows, page_number(request), per_page=50)
    referrals = list(page.object_list)
    if context.get("completed"):
        items = plan_item_ids(referrals)
        for referral in referrals:
            referral.plan_item_id = items.get(referral.pk)
    return render(
        request,
        "referrals/list.html",
        {
            **context,
            "page": page,
            "referrals": referrals,
            **page_links(page, params),
        },
    )


@login_required
def referral_inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip().lower()  # "Sent" as the API reads it
    referrals = provider_side(request.user).order_by("-sent_at", "-id")
    refused = ""
    if status in Status.values:
        referrals = referrals.filter(status=status)
    elif status:
        # Never another list than the one asked for: every referral was listed, unfiltered,
        # with nothing said.
        refused = _("Choose a status from the list.")
        referrals = referrals.none()
    return _list_page(
        request,
        referrals,
        {"status": status} if status and not refused else {},
        {
            "title": _("Referrals to my organisation"),
            "statuses": Status.choices,
            "status": status,
            "status_error": refused,
            "inbox": True,
            "waiting": awaiting_answer(request.user).count(),
        },
    )


@login_required
def referral_overdue(request: HttpRequest) -> HttpResponse:
    if not grants_with(request.user, Perm.REFERRAL_SEND):
        # A provider's staff: the referrals they are late answering, as their inbox shows them.
        return _list_page(
            request,
            overdue_to_answer(request.user),
            {},
            {"title": _("Overdue referrals"), "provider_rows": True},
        )
    return _list_page(
        request,
        overdue(request.user),
        {},
        {
            "title": _("Overdue referrals"),
            "inbox": False,
            # Where each programme says after how many days a referral is overdue.
            "programmes": visible_programmes(request.user).order_by("name"),
        },
    )


@login_required
def referral_declined(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        declined_to_refer_again(request.user),
        {},
        {
            "title": _("Declined referrals to refer again"),
            "intro": _(
                "A provider declined these referrals and nothing else was sent for their items: "
                "open each to read the reason, then refer the item to another provider from its case."
            ),
        },
    )


@login_required
def referral_completed(request: HttpRequest) -> HttpResponse:
    if not grants_with(request.user, Perm.REFERRAL_SEND):
        # A provider's staff answer referrals; marking plan items delivered is the case side's.
        return forbidden(request, _("Your role does not send referrals."))
    mine = request.GET.get("mine") == "1"
    return _list_page(
        request,
        completed_item_not_delivered(request.user, mine=mine),
        {"mine": "1"} if mine else {},
        {
            "title": _("Completed referrals: mark their items delivered"),
            "completed": True,
            "mine": mine,
            "intro": _(
                "A provider completed these referrals and their plan items are not marked delivered: "
                "the figures of assistance received count an item once it is. Read each outcome, "
                "then change the item's status from its link."
            ),
        },
    )


@login_required
def referral_rules(request: HttpRequest, code: str) -> HttpResponse:
    """A programme's referral rules: the days in force, every version, and for its managers
    a form recording a new version from a day (earlier referrals keep their due day)."""
    try:
        programme = get_programme_for(request.user, code)
    except NotFound:
        raise Http404 from None
    today = timezone.localdate()
    can_change = manages_programme(request.user, programme)
    latest = latest_rules_id(programme.pk)
    form = RulesForm(auto_id="rules-%s", initial={"effective_from": today, "seen_latest": latest})
    if request.method == "POST":
        if not can_change:
            return forbidden(request, _("Only the programme's managers change its referral rules."))
        form = RulesForm(request.POST, auto_id="rules-%s")
        if form.is_valid():
            try:
                actions.set_referral_rules(request.user, programme, **form.cleaned_data)
            except DomainError as error:
                apply_errors(form, error)
                if isinstance(error, Conflict):
                    # Sent again as it is, once the newer version has been read above it.
                    data = request.POST.copy()
                    data["seen_latest"] = str(latest)
                    form.data = data
            else:
                messages.success(request, _("The new referral rules are recorded."))
                return redirect("referral_rules", code=programme.code)
    return render(
        request,
        "referrals/rules.html",
        {
            "programme": programme,
            "in_force": rules_on(programme.pk, today),
            "versions": rules_history(programme.pk),
            "form": form if can_change else None,
        },
    )


def _csv_header() -> list[str]:
    """The page's column names in the reader's language (they were codes over translated
    services), with the country's code beside its name for other programs."""
    return [
        _("Provider"),
        _("Service requested"),
        _("Country"),
        _("Country code"),
        _("Referred"),
        _("Accepted"),
        _("Completed"),
        _("Successful outcome"),
    ]


@login_required
def referral_funnel(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.CASE_VIEW):  # a provider's staff read their inbox instead
        return forbidden(
            request,
            _(
                "The funnel counts the referrals of the cases you read: see your organisation's "
                "referrals instead."
            ),
        )
    form = FunnelForm(request.GET or None)
    filters = FunnelFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = FunnelFilters(
            since=data["since"], until=data["until"], country=data["country"], provider=data["provider"]
        )
    # Filters refused: no figures (the unfiltered totals looked like the filtered ones).
    rows = [] if form.is_bound and form.errors else funnel(request.user, filters)
    if request.GET.get("format") == "csv":
        if form.is_bound and form.errors:
            return HttpResponse(
                _("Correct the filters first."), status=400, content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="referral-funnel.csv"'
        response.write("\ufeff")  # a BOM: spreadsheet programs then read UTF-8 (Arabic was garbled)
        writer = csv.writer(response)
        writer.writerow(_csv_header())
        for row in rows:
            # Provider names are typed by people: one starting "=" must not run as a formula.
            writer.writerow(
                neutralised(
                    [
                        row.provider,
                        row.service,
                        country_name(row.country),
                        row.country,
                        row.referred,
                        row.accepted,
                        row.completed,
                        row.successful,
                    ]
                )
            )
        return response
    providers = funnel_providers(request.user)
    countries = named_countries({p.country for p in providers})
    return render(
        request,
        "referrals/funnel.html",
        {
            "form": form,
            "rows": rows,
            "total": funnel_total(rows),
            "providers": providers,
            "countries": countries,
            "query": request.GET.urlencode(),
        },
    )
