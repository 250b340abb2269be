"""Monitoring pages: one round of a case (its attempts and visit, with the forms recording
them) and the follow-ups list with the country offices' summary. Views parse, call an
action and render; the actions decide, the queries scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.cases.lifecycle import Stage
from remis.cases.policy import case_permissions, groups_on_case
from remis.cases.queries import note_record_page_read
from remis.cases.views.common import apply_errors, case_or_404
from remis.lib.countries import country_name
from remis.lib.errors import DomainError, NotFound
from remis.lib.pages import forbidden, readers_of_cases_only
from remis.lib.paging import page_links, page_number, paginate
from remis.lib.posted import posted_id
from remis.lib.templatetags.remis_dates import short_date
from remis.monitoring import actions
from remis.monitoring.configuration import (
    instrument_titles,
    known_instruments,
    round_span,
    rules_history,
    rules_on,
)
from remis.monitoring.forms import AttemptForm, FollowUpFilterForm, ScheduleForm, VisitForm, early_field
from remis.monitoring.imports import may_import
from remis.monitoring.instrument_views import may_read_instruments
from remis.monitoring.models import (
    ContactOutcome,
    FollowUp,
    FollowUpStatus,
    Instrument,
    ResponseSource,
    ScheduleRules,
)
from remis.monitoring.queries import (
    SATISFACTION,
    STATE_LABELS,
    State,
    case_response,
    covered_countries,
    filter_follow_ups,
    follow_up_urls,
    low_scores,
    office_summary,
    round_responses,
    satisfaction_items,
    state_of,
    without_follow_up_consent,
)
from remis.monitoring.response_forms import (
    CorrectionForm,
    ResponseForm,
    SatisfactionForm,
    initial_answers,
    read_back,
    satisfaction_views,
)
from remis.monitoring.responses import (
    closed_on,
    current_instrument,
    definition_of,
    hidden_questions,
    item_keys,
    record_response,
)
from remis.programmes.queries import get_programme_for, manages_programme, visible_programmes


@login_required
def follow_up_detail(request: HttpRequest, case_uuid: str, round_number: int) -> HttpResponse:
    case = case_or_404(request, case_uuid)
    follow_up = FollowUp.objects.filter(case=case, round=round_number).select_related("case", "rules").first()
    if follow_up is None:
        raise Http404
    note_record_page_read(request, case)
    today = timezone.localdate()
    can_record = Perm.MONITORING_RECORD in case_permissions(request.user, case)
    initial = {"version": follow_up.version}
    attempt_form = AttemptForm(auto_id="attempt-%s", initial={**initial, "attempted_on": today})
    visit_form = VisitForm(auto_id="visit-%s", initial={**initial, "visited_on": today})
    instrument = current_instrument(follow_up.instrument)
    satisfaction = current_instrument(SATISFACTION)
    # Every item for the answers' labels; only those the reader may know of to record answers.
    items = satisfaction_items(request.user, case) if satisfaction else []
    recordable = satisfaction_items(request.user, case, recordable=True) if satisfaction else []
    restricted = frozenset(key for key, _label in items) - {key for key, _label in recordable}
    # Answers of a closed case can only be dated up to its closure: the forms start there.
    answer_day = closed_on(case) or today
    response_form = _response_form(instrument, None, answer_day)
    satisfaction_form = _satisfaction_form(satisfaction, recordable, None, answer_day)
    if request.method == "POST":
        if not can_record:
            raise Http404  # the page offers no form; a forged post learns nothing
        step = request.POST.get("step")
        if step in ("response", "satisfaction"):
            chosen = instrument if step == "response" else satisfaction
            if chosen is None:
                raise Http404
            bound: ResponseForm | None = (
                _response_form(chosen, request.POST, answer_day)
                if step == "response"
                else _satisfaction_form(chosen, recordable, request.POST, answer_day)
            )
            assert bound is not None
            if step == "response":
                bound.fields["early"] = early_field()
                response_form = bound
            else:
                assert isinstance(bound, SatisfactionForm)
                satisfaction_form = bound
            if bound.is_valid():
                try:
                    record_response(
                        request.user,
                        chosen,
                        answers=bound.answers(),
                        collected_on=bound.cleaned_data["collected_on"],
                        follow_up=follow_up if step == "response" else None,
                        early=bool(bound.cleaned_data.get("early")),
                        case=case,
                        item_key=bound.cleaned_data.get("item_key") or None,
                        source=ResponseSource.FORM,
                    )
                except DomainError as error:
                    bound.apply(error)
                else:
                    messages.success(request, _("The answers are recorded and scored."))
                    return redirect("follow_up_detail", case_uuid=case.uuid, round_number=follow_up.round)
        else:
            form: AttemptForm | VisitForm
            if step == "attempt":
                form = attempt_form = AttemptForm(request.POST, auto_id="attempt-%s")
            else:
                form = visit_form = VisitForm(request.POST, auto_id="visit-%s")
            if form.is_valid():
                data = dict(form.cleaned_data)
                expected = data.pop("version")
                try:
                    if step == "attempt":
                        attempt = actions.record_contact_attempt(
                            request.user, follow_up, expected_version=expected, **data
                        )
                        messages.success(request, _("The contact attempt is recorded."))
                        if attempt.outcome == ContactOutcome.REFUSED:
                            messages.warning(
                                request,
                                _(
                                    "The returnee refused: the round is closed as lost to follow-up. "
                                    "If they refuse all follow-up, record the withdrawal of their "
                                    "follow-up consent on the case page."
                                ),
                            )
                        elif attempt.outcome in actions.FINAL_OUTCOMES:
                            messages.warning(
                                request,
                                _(
                                    "The returnee is out of reach (moved away or migrated again): "
                                    "the round is closed as lost to follow-up."
                                ),
                            )
                        elif actions.failed_outside_window(follow_up, attempt):
                            messages.warning(
                                request,
                                _(
                                    "It falls outside the round's window (%(start)s to %(end)s): "
                                    "it does not count towards lost to follow-up."
                                )
                                % {
                                    "start": short_date(follow_up.window_start),
                                    "end": short_date(follow_up.window_end),
                                },
                            )
                    else:
                        visit = actions.record_visit(
                            request.user, follow_up, expected_version=expected, **data
                        )
                        messages.success(request, _("The visit is recorded: the round is done."))
                        # Confirmed as closing the round before its window: said already.
                        confirmed = bool(data.get("early")) and visit.visited_on < follow_up.window_start
                        if not confirmed and not (
                            follow_up.window_start <= visit.visited_on <= follow_up.window_end
                        ):
                            # Recorded as the case worker says it happened, but a visit months
                            # from its round's window is often meant for another round.
                            messages.warning(
                                request,
                                _(
                                    "Its date falls outside the round's window (%(start)s to %(end)s): "
                                    "check that it belongs to round %(round)s."
                                )
                                % {
                                    "start": short_date(follow_up.window_start),
                                    "end": short_date(follow_up.window_end),
                                    "round": follow_up.round,
                                },
                            )
                except DomainError as error:
                    apply_errors(form, error)
                else:
                    return redirect("follow_up_detail", case_uuid=case.uuid, round_number=follow_up.round)
    if request.method == "POST":
        follow_up.refresh_from_db()  # refused: someone may have changed the round meanwhile
    state = state_of(follow_up, today)
    for offered in (visit_form, response_form):
        # The confirmation of a date before the window: while the round is upcoming, or
        # once a record was refused for want of it.
        if offered is not None and state != State.UPCOMING and "early" not in offered.errors:
            offered.fields.pop("early", None)
        elif offered is not None and "early" not in offered.fields:
            offered.fields["early"] = early_field()
    # Open, or done by its answers with no visit yet (the visit they came from is recorded).
    open_round = follow_up.status in (FollowUpStatus.SCHEDULED, FollowUpStatus.LOST) or (
        follow_up.status == FollowUpStatus.DONE and not follow_up.visits.exists()
    )
    groups = groups_on_case(request.user, case)
    answered = [read_back(definition_of(r.instrument), r, groups) for r in round_responses(follow_up)]
    # Without the returnee's consent to follow-up contact no form is offered (each was
    # refused once sent): the page says what to record first. A refused one stays.
    consent = case.has_consent("follow_up_contact")
    principal = case.principal
    return render(
        request,
        "monitoring/round.html",
        {
            "case": case,
            # Whom to call, for whoever records the attempts: the number was on no page but
            # the case's edit form, which an M&E officer calling returnees does not have.
            "contact": principal
            if can_record and consent and principal and principal.erased_at is None
            else None,
            "follow_up": follow_up,
            "state": state,
            "state_label": STATE_LABELS[state],
            "attempts": follow_up.attempts.select_related("recorded_by"),
            # Lost because the returnee refused: not a loss of contact (the page suggested
            # closing the case for lost contact, a wrong closure reason).
            "refused": follow_up.status == FollowUpStatus.LOST
            and follow_up.attempts.filter(outcome=ContactOutcome.REFUSED).exists(),
            "visits": follow_up.visits.select_related("recorded_by"),
            # A refused form stays on the page with its reason, whatever the round's state now.
            "attempt_form": attempt_form
            if can_record
            and ((consent and follow_up.status == FollowUpStatus.SCHEDULED) or attempt_form.is_bound)
            else None,
            "visit_form": visit_form
            if can_record and ((consent and open_round and case.stage != Stage.CLOSED) or visit_form.is_bound)
            else None,
            "consent": consent,
            "responses": answered,
            # Answered once: no form, but a refused one (a second tab's) shows why, answers kept.
            "response_form": response_form
            if can_record
            and response_form is not None
            # A round its case's closure stopped takes none (`prepare_response`).
            and (
                (consent and not answered and follow_up.status != FollowUpStatus.STOPPED)
                or response_form.is_bound
            )
            else None,
            # The case's answers about its items, those collected in this round's window apart
            # from the others: every round's page listed them all alike, as if each round's.
            **_satisfactions_by_window(satisfaction_views(case, items, groups, restricted), follow_up),
            "can_correct": can_record,
            "satisfaction_form": satisfaction_form
            if can_record
            and recordable
            and (consent or (satisfaction_form is not None and satisfaction_form.is_bound))
            else None,
        },
    )


def _satisfactions_by_window(views: list[tuple[str, Any]], follow_up: FollowUp) -> dict[str, Any]:
    def here(view: Any) -> bool:
        return follow_up.window_start <= view.response.collected_on <= follow_up.window_end

    return {
        "satisfactions": [(label, view) for label, view in views if here(view)],
        "satisfactions_elsewhere": [(label, view) for label, view in views if not here(view)],
    }


@login_required
def response_correct(request: HttpRequest, case_uuid: str, response_uuid: str) -> HttpResponse:
    """Correct a recorded response's answers (a wrong choice ticked, a figure mistyped)."""
    case = case_or_404(request, case_uuid)
    response = case_response(case, response_uuid)
    if response is None:
        raise Http404
    if Perm.MONITORING_RECORD not in case_permissions(request.user, case):
        return forbidden(request, _("Your role does not record monitoring for this case."))
    groups = groups_on_case(request.user, case)
    if response.item_key is not None and response.item_key not in item_keys(case, groups):
        # About an item of a type in a group the reader does not hold: its answers are not theirs.
        return forbidden(
            request, _("These answers are about assistance in a sensitive group you do not hold.")
        )
    note_record_page_read(request, case)
    definition = definition_of(response.instrument)
    if response.follow_up is not None:
        back = reverse("follow_up_detail", args=[case.uuid, response.follow_up.round])
    else:
        back = reverse("case_detail", args=[case.uuid]) + "#monitoring"
    hidden = hidden_questions(definition, groups)
    initial = {**initial_answers(definition, response, hidden), "version": response.version}
    form = CorrectionForm(request.POST or None, definition=definition, initial=initial, hidden=hidden)
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_response(
                request.user,
                response.pk,
                expected_version=form.cleaned_data["version"],
                answers=form.answers(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.apply(error)
        else:
            messages.success(request, _("The corrected answers are saved and scored again."))
            return redirect(back)
    return render(
        request,
        "monitoring/correct.html",
        {"case": case, "r": read_back(definition, response, groups), "form": form, "back": back},
    )


def _response_form(instrument: Instrument | None, data: Any, day: Any) -> ResponseForm | None:
    if instrument is None:
        return None
    return ResponseForm(
        data, definition=definition_of(instrument), auto_id="response-%s", initial={"collected_on": day}
    )


def _satisfaction_form(
    instrument: Instrument | None, items: list[tuple[str, str]], data: Any, day: Any
) -> SatisfactionForm | None:
    if instrument is None or not items:
        return None
    return SatisfactionForm(
        data,
        definition=definition_of(instrument),
        items=items,
        auto_id="satisfaction-%s",
        initial={"collected_on": day},
    )


@login_required
@readers_of_cases_only
def follow_up_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    programmes = visible_programmes(request.user).order_by("name")
    form = FollowUpFilterForm(
        request.GET or None,
        countries=covered_countries(request.user),
        programmes=[(p.code, p.name) for p in programmes],
    )
    if form.is_bound and not form.is_valid():
        # Never answer bad filters with another list: say what is wrong instead.
        return render(
            request,
            "monitoring/follow_ups.html",
            {"form": form, "rows": [], "page": None, **_links(request.user)},
        )
    filters = form.filters()
    rounds = filter_follow_ups(request.user, filters, today)
    page = paginate(rounds, page_number(request), per_page=50, counter=rounds.count_upto)
    params = {k: v for k, v in (form.cleaned_data.items() if form.is_bound else []) if v}
    if form.is_bound:
        params["state"] = form.cleaned_data["state"]  # "" (any state) too: absent means open rounds

    no_consent = without_follow_up_consent(page.object_list)
    rows = [
        (f, STATE_LABELS[state_of(f, today)], state_of(f, today), f.case_id in no_consent)
        for f in page.object_list
    ]
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": rows,
        "programmes": programmes,
        **page_links(page, params),
        **_links(request.user),
    }
    return render(request, "monitoring/follow_ups.html", context)


def _links(user: Any) -> dict[str, bool]:
    """Which of the monitoring pages the reader may open: the others are not linked (a
    donor was offered the instruments and the imports, and met "Not allowed")."""
    return {"may_read_instruments": may_read_instruments(user), "may_import": may_import(user)}


@login_required
@readers_of_cases_only
def follow_up_offices(request: HttpRequest) -> HttpResponse:
    """Per country office, the rounds of the cases the reader sees: open, overdue, missed,
    lost, done and the share done within the window. Its own page: it counts every round in
    the reader's scope, which the follow-ups list (a page of the work to do) need not."""
    today = timezone.localdate()
    offices = [(row, country_name(row.country)) for row in office_summary(request.user, today)]
    return render(request, "monitoring/offices.html", {"offices": offices, "today": today})


@login_required
def low_scores_page(request: HttpRequest) -> HttpResponse:
    """Every latest answer in the lowest band on the reader's cases that nobody has followed
    up (`queries.low_scores`), oldest first: the home page shows the first five."""
    if not grants_with(request.user, Perm.MONITORING_RECORD):
        return forbidden(request, _("Your role does not record follow-up monitoring."))
    page = paginate(low_scores(request.user), page_number(request), per_page=50)
    responses = list(page.object_list)
    urls = follow_up_urls(responses, timezone.localdate())
    rows = [
        (response, url, _("Its next round") if is_round else _("The case's monitoring"))
        for response in responses
        for url, is_round in [urls[response.pk]]
    ]
    return render(request, "monitoring/low_scores.html", {"page": page, "rows": rows, **page_links(page, {})})


@login_required
def schedule_rules(request: HttpRequest, code: str) -> HttpResponse:
    """A programme's monitoring schedule: the version in force, every version, and for its
    managers a form recording a new version from a day."""
    try:
        programme = get_programme_for(request.user, code)
    except NotFound:
        raise Http404 from None
    today = timezone.localdate()
    can_change = manages_programme(request.user, programme)
    in_force = rules_on(programme.pk, today)
    instruments = instrument_titles(known_instruments())
    form = ScheduleForm(
        auto_id="schedule-%s", instruments=instruments, initial=ScheduleForm.initial_from(in_force, today)
    )
    if request.method == "POST":
        if not can_change:
            return forbidden(request, _("Only the programme's managers change its monitoring schedule."))
        form = ScheduleForm(request.POST, auto_id="schedule-%s", instruments=instruments)
        then = rules_on(programme.pk, form.cleaned_data["effective_from"]) if form.is_valid() else None
        # No version in force on the day chosen (before the programme's first): nothing lies
        # between it and the form's, and the action says what is wrong with the day.
        if form.is_valid() and then is not None and form.started_from_elsewhere(then):
            day = form.cleaned_data["effective_from"]
            raw = str(form.cleaned_data["started_from"] or "")
            started = ScheduleRules.objects.filter(pk=key).first() if (key := posted_id(raw)) else None
            form = ScheduleForm.refilled(
                then,
                day,
                instruments,
                _(
                    "On %(day)s another version of the schedule is in force than the one this form "
                    "showed: the form now shows that one, with the values you changed. Check it, "
                    "then record it again."
                )
                % {"day": short_date(day)},
                sent=request.POST,
                started=started,
            )
        elif form.is_valid():
            try:
                actions.set_schedule_rules(
                    request.user,
                    programme,
                    effective_from=form.cleaned_data["effective_from"],
                    rounds=form.rounds(),
                    lost_after_attempts=form.cleaned_data["lost_after_attempts"],
                )
            except DomainError as error:
                _schedule_errors(form, error)
            else:
                messages.success(request, _("The new monitoring schedule is recorded."))
                return redirect("schedule_rules", code=programme.code)
    return render(
        request,
        "monitoring/schedule.html",
        {
            "programme": programme,
            "in_force": in_force,
            "versions": [
                (v, [round_span(r["months"], r["window_days"]) for r in v.rounds])
                for v in rules_history(programme.pk)
            ],
            "form": form if can_change else None,
            **_links(request.user),
            "in_force_rounds": [
                (r, instruments.get(r["instrument"], r["instrument"]))
                for r in (in_force.rounds if in_force else [])
            ],
        },
        status=400 if form.errors else 200,
    )


def _schedule_errors(form: ScheduleForm, error: DomainError) -> None:
    """rounds[2].months → the months field of the row the third round came from; the others
    as the field they name."""
    columns = {"months": "months", "window_days": "window", "instrument": "instrument"}
    for field, message in error.errors:
        name = field or ""
        if name.startswith("rounds[") and "]." in name:
            index, column = name[len("rounds[") :].split("].", 1)
            target = f"{columns.get(column, 'months')}_{form.row_of(int(index))}"
            form.add_error(target if target in form.fields else None, message)
        elif name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, message)
