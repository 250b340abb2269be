"""Monitoring responses: answers to one instrument version, checked and scored when saved.

`record_response` is the one write (pages, API and imports call it): it checks permission and
the case's consent, refuses a response dated after the case's closure or in the future,
checks every answer against the instrument (each problem naming its question), keeps only
the answers to questions that apply, scores them (remis/monitoring/instruments/scoring.py)
and stores the scores beside the answers with the instrument version. A round answered is
done. `rescore` recomputes stored scores with their own version's scorer.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.audit.actions import record_many
from remis.cases.actions.common import require
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, ConsentPurpose
from remis.cases.policy import groups_on_case, shows
from remis.lib.bulk import insert_objects, unsaved
from remis.lib.errors import Duplicate, PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.events import emit_many
from remis.lib.ids import uuid7
from remis.monitoring.configuration import SATISFACTION
from remis.monitoring.events import ScoreComputed
from remis.monitoring.instruments.definition import InstrumentDefinition, load_definition
from remis.monitoring.instruments.scoring import Scores, canonical_answers, compile_scorer, drop_irrelevant
from remis.monitoring.models import FollowUp, FollowUpStatus, Instrument, Response, ResponseSource
from remis.monitoring.queries import other_rounds_window, round_answered_beside

SAMPLE_ID_MAX = 64
DIMENSION_FIELDS = ("economic", "social", "psychosocial")  # stored in their own columns


@functools.lru_cache(maxsize=32)
def _definition(instrument_id: int, code: str, version: int, created: str) -> InstrumentDefinition:
    # Stored versions never change, so (id, code, version) keys the parsed definition; and
    # the moment it was stored, as an id is used again after a rollback (a version made in a
    # test that rolled back read as the next test's version of the same id).
    return load_definition(Instrument.objects.get(pk=instrument_id).definition)


def hidden_questions(
    definition: InstrumentDefinition, groups: frozenset[str] | None, *, every: bool = False
) -> frozenset[str]:
    """The questions whose answers a reader holding `groups` does not read (in a sensitive
    group they do not hold: a returnee's distress is psychosocial). None: every group.
    `every`: all of them (a satisfaction response about an item of a group not held)."""
    if every:
        return frozenset(q.name for q in definition.questions)
    if groups is None:
        return frozenset()
    return frozenset(q.name for q in definition.questions if not shows(groups, q.sensitive_group))


def hidden_indicators(definition: InstrumentDefinition, hidden: frozenset[str]) -> frozenset[str]:
    """The indicators scoring a hidden question: their value gives the answer back."""
    return frozenset(i.code for i in definition.indicators if i.question in hidden)


SCORE_COLUMNS = ("economic", "social", "psychosocial")


def masked_scores(definition: InstrumentDefinition, response: Response, hidden: frozenset[str]) -> Response:
    """A copy of `response`, for reading only, without what would give a hidden answer back:
    the indicators scoring a hidden question; each dimension holding one (a dimension is the
    mean of its indicators: the social score less the four shown gave the identity documents
    answer); and then the composite and the band (the dimensions' mean). Readers without the
    group keep the other dimensions. The same instance when nothing is hidden."""
    masked = hidden_indicators(definition, hidden)
    if not masked:
        return response
    shown = copy.copy(response)
    shown.indicators = {
        code: None if code in masked else value for code, value in response.indicators.items()
    }
    for dimension in {i.dimension for i in definition.indicators if i.code in masked}:
        if dimension in SCORE_COLUMNS:
            setattr(shown, dimension, None)
    shown.composite = None
    shown.band = ""
    shown.scores_restricted = True  # type: ignore[attr-defined]  # read by the pages: "Restricted", not "—"
    return shown


def definition_of(instrument: Instrument) -> InstrumentDefinition:
    return _definition(instrument.pk, instrument.code, instrument.version, instrument.created_at.isoformat())


def title_of(instrument: Instrument) -> str:
    """The instrument's title in the active language (`Instrument.title` is the English one)."""
    from remis.monitoring.response_forms import language

    return str(definition_of(instrument).title.get(language()))


def current_instrument(code: str) -> Instrument | None:
    """The version of `code` that new responses use."""
    return Instrument.objects.filter(code=code, active=True).order_by("-version").first()


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 4)))


def score_columns(scores: Scores) -> dict[str, Any]:
    """The scores as the Response columns hold them."""
    return {
        "indicators": scores.indicators,
        **{name: _decimal(scores.dimensions.get(name)) for name in DIMENSION_FIELDS},
        "composite": _decimal(scores.composite),
        "band": scores.band or "",
    }


def closed_on(case: Case) -> dt.date | None:
    if case.stage != Stage.CLOSED or case.stage_changed_at is None:
        return None
    return timezone.localdate(case.stage_changed_at)


def _check_day(
    value: Any, case: Case | None, errors: list[tuple[str | None, str]], today: dt.date
) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors.append(("collected_on", _("Enter the date the answers were collected.")))
        return None
    if value > today:
        errors.append(("collected_on", _("The date cannot be in the future.")))
    elif case is not None:
        closed = closed_on(case)
        if case.arrival_date and value < case.arrival_date:
            errors.append(("collected_on", _("The date cannot be before the returnee's arrival.")))
        elif closed and value > closed:
            errors.append(
                (
                    "collected_on",
                    _("The case was closed on %(day)s: a response dated after its closure is not accepted.")
                    % {"day": date_format(closed, "SHORT_DATE_FORMAT")},  # in the reader's language
                )
            )
    return value


def item_keys(case: Case, groups: frozenset[str] | None = None) -> set[uuid.UUID]:
    """The keys of the items of the case's plan (any version: an item keeps its key) that a
    reader holding `groups` (None: all) sees: an item of a type in a sensitive group they do
    not hold is refused as one not in the plan, so a refusal tells nothing of it."""
    from remis.assistance.models import AssistanceItem

    rows = AssistanceItem.objects.filter(version__plan__case=case).values_list("key", "kind__sensitive_group")
    return {key for key, group in rows if groups is None or shows(groups, group)}


def _check_item(
    instrument: Instrument,
    case: Case | None,
    follow_up: FollowUp | None,
    item_key: Any,
    errors: list[tuple[str | None, str]],
    groups: frozenset[str] | None = None,
) -> uuid.UUID | None:
    """A satisfaction response is about one item of the case's plan; no other is."""
    if instrument.code != SATISFACTION:
        if item_key:
            errors.append(("item_key", _("Only a satisfaction response is about an assistance item.")))
        return None
    if follow_up is not None:
        errors.append(("follow_up", _("A satisfaction response is about an assistance item, not a round.")))
    if case is None:
        errors.append(
            ("case", _("A satisfaction response is about an item of a case's plan: give the case."))
        )
        return None
    try:
        key = item_key if isinstance(item_key, uuid.UUID) else uuid.UUID(str(item_key))
    except ValueError:
        errors.append(("item_key", _("Choose an item of the case's reintegration plan.")))
        return None
    if key not in item_keys(case, groups):
        errors.append(("item_key", _("Choose an item of the case's reintegration plan.")))
        return None
    return key


@dataclass
class Prepared:
    """A response checked and scored, not yet saved (`save_responses` saves a batch)."""

    response: Response
    follow_up: FollowUp | None
    changes: dict[str, list[Any]]
    case_uuid: uuid.UUID | None  # the audit entry's, so that its readers are those of the case

    def __reduce__(self) -> tuple[Any, ...]:
        # An import checks in one process and saves in another (`lib/ahead.py`). Pickled
        # whole, each response brought its case, round and recorder along, which cost more
        # to send and rebuild than the checks themselves: only the columns and what saving
        # reads go (the instrument, shared, is sent once per chunk).
        response = self.response
        columns = {name: response.__dict__[name] for name in _column_names()}
        follow_up = self.follow_up
        round_ = None if follow_up is None else (follow_up.pk, follow_up.round, follow_up.window_start)
        return (_rebuilt, (columns, response.instrument, round_, self.changes, self.case_uuid))


@functools.cache
def _column_names() -> tuple[str, ...]:
    return tuple(f.attname for f in Response._meta.concrete_fields)  # the id too: None, unsaved


def _rebuilt(
    columns: dict[str, Any],
    instrument: Instrument,
    round_: tuple[int, int, dt.date] | None,
    changes: dict[str, list[Any]],
    case_uuid: uuid.UUID | None,
) -> Prepared:
    # As Django's own unpickling builds an instance (its __init__, which looks at every
    # field's default, cost more than the pickle itself): new, unsaved, the columns set.
    response = unsaved(Response, columns)
    response.instrument = instrument
    follow_up = None
    if round_ is not None:
        follow_up = unsaved(
            FollowUp, {"id": round_[0], "round": round_[1], "window_start": round_[2]}, only=True
        )
        follow_up._state.adding = False  # the round exists: only its id, number and window are read
    return Prepared(response, follow_up, changes, case_uuid)


def prepare_response(
    actor: Any,
    instrument: Instrument,
    *,
    answers: dict[str, Any],
    collected_on: Any,
    case: Case | None = None,
    follow_up: FollowUp | None = None,
    item_key: Any = None,
    sample_id: str = "",
    source: str = ResponseSource.FORM,
    submission_id: str = "",
    checked: set[int] | None = None,
    today: dt.date | None = None,
    early: bool = False,
) -> Prepared:
    """Every check of a response, and its scores. `checked`: the cases whose permission and
    consent were already checked for this actor in the same batch (an import's); `today`:
    the local day, read once for a batch; `early`: answers dated before their round's window
    opens are meant for it (they close it early and count for it in the analyses)."""
    sample = str(sample_id or "").strip()
    if case is None and follow_up is not None:
        case = follow_up.case
    unconsented = ""
    if case is not None:
        if checked is None or case.pk not in checked:
            require(actor, case, Perm.MONITORING_RECORD)
            if not case.has_consent(ConsentPurpose.FOLLOW_UP):
                # Said with the answers' own problems, if any: a file's row refused for the
                # consent alone came back with three more errors once consent was recorded.
                unconsented = _(
                    "The returnee has not consented to follow-up contact: record their consent "
                    "before contacting them for monitoring."
                )
            elif checked is not None:
                checked.add(case.pk)
        sample = ""
    elif not has_perm(actor, Perm.MONITORING_RECORD):
        raise PermissionDenied()
    errors: list[tuple[str | None, str]] = []
    groups = groups_on_case(actor, case) if case is not None and instrument.code == SATISFACTION else None
    key = _check_item(instrument, case, follow_up, item_key, errors, groups)
    # A batch's caller (an import) picked rounds without answers, open, by the day's window:
    # a race is the constraint's.
    if follow_up is not None and checked is None and follow_up.responses.exists():
        raise TransitionRefused(
            _("Round %(round)s has its answers already: a round is answered once.")
            % {"round": follow_up.round},
            "follow_up",
        )
    if follow_up is not None and checked is None and follow_up.status == FollowUpStatus.STOPPED:
        # Its case was closed before the round came: answered anyway, it counted in the
        # outcome analyses and read "upcoming, scored" once the case was reopened.
        raise TransitionRefused(
            _("Round %(round)s was stopped when the case was closed: it takes no answers.")
            % {"round": follow_up.round},
            "follow_up",
        )
    if case is None and not sample:
        errors.append(("sample_id", _("Give the case, or the sample ID of a comparison sample.")))
    if len(sample) > SAMPLE_ID_MAX:
        errors.append(("sample_id", _("Write at most %(limit)s characters.") % {"limit": SAMPLE_ID_MAX}))
    if "\x00" in sample or "\x00" in str(submission_id or ""):
        errors.append(("sample_id", _("Enter a valid value.")))
    day = _check_day(collected_on, case, errors, today or timezone.localdate())
    if follow_up is not None and day is not None and checked is None:
        other = other_rounds_window(follow_up.case_id, follow_up.pk, day)
        if other is not None:
            errors.append(
                (
                    "collected_on",
                    _(
                        "This day is in round %(other)s's window: record the answers for round "
                        "%(other)s, or check the date."
                    )
                    % {"other": other},
                )
            )
        # Round 1's answers collected eight months after arrival, after round 2's, counted
        # as the 3-month score in the outcome analyses; or round 1 answered early on the
        # day round 2 had been.
        later = round_answered_beside(follow_up.case_id, follow_up.round, day, later=True)
        if later is not None:
            errors.append(
                (
                    "collected_on",
                    _(
                        "Round %(later)s was answered on %(day)s: answers collected after it cannot "
                        "count for round %(round)s. Check the date."
                    )
                    % {
                        "later": later[0],
                        "day": date_format(later[1], "SHORT_DATE_FORMAT"),
                        "round": follow_up.round,
                    },
                )
            )
        # Answers closing a round early, dated no later than an earlier round's: round 1
        # and round 2 were both answered the day after arrival, the second counted as the
        # 6-month score in the outcome analyses.
        earlier = (
            round_answered_beside(follow_up.case_id, follow_up.round, day, later=False)
            if day < follow_up.window_start
            else None
        )
        if earlier is not None:
            errors.append(
                (
                    "collected_on",
                    _(
                        "Round %(earlier)s was answered on %(day)s: round %(round)s's answers must be "
                        "collected after it. Check the date and the round."
                    )
                    % {
                        "earlier": earlier[0],
                        "day": date_format(earlier[1], "SHORT_DATE_FORMAT"),
                        "round": follow_up.round,
                    },
                )
            )
    # A round a visit already closed early was confirmed then: its answers need no second
    # confirmation (the page offered none, and refused them asking for it).
    closed_early = (
        follow_up is not None and follow_up.status == FollowUpStatus.DONE and follow_up.visits.exists()
    )
    if (
        follow_up is not None
        and day is not None
        and day < follow_up.window_start
        and not early
        and not closed_early
    ):
        # A round named by its number (the page, the API) rather than found by the day (an
        # import): round 3's answers collected at month two scored as month twelve's.
        errors.append(
            (
                "early",
                _(
                    "Round %(round)s's window opens on %(day)s: answers collected before it close "
                    "the round early and count for it in the outcome analyses. Confirm that they "
                    "belong to this round."
                )
                % {"round": follow_up.round, "day": date_format(follow_up.window_start, "SHORT_DATE_FORMAT")},
            )
        )
    definition = definition_of(instrument)
    scorer = compile_scorer(definition)
    for question, message in scorer.validate(answers):
        errors.append((f"answers.{question}", message))
    if unconsented and not errors:
        raise TransitionRefused(unconsented, "consent")
    if unconsented:
        errors.insert(0, ("consent", unconsented))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    assert day is not None
    kept = canonical_answers(definition, drop_irrelevant(definition, answers))
    # Built as `Response(...)` would build it, without its constructor (defaults and
    # signals: a tenth of checking an imported row); every column is named, so a column
    # added to the model and not here fails loudly.
    response = unsaved(
        Response,
        {
            "id": None,
            "uuid": uuid7(),  # time-ordered: a bulk import appends to the uuid index
            "instrument_id": instrument.pk,
            "case_id": case.pk if case is not None else None,
            "sample_id": sample,
            "follow_up_id": follow_up.pk if follow_up is not None else None,
            "visit_id": None,
            "item_key": key,
            "collected_on": day,
            "answers": plain_answers(kept),
            "source": source,
            "submission_id": submission_id,
            "recorded_by_id": actor.pk,
            "recorded_at": timezone.now(),
            "corrected_at": None,
            "version": 1,
            **score_columns(scorer(kept)),
        },
    )
    cache = response._state.fields_cache  # the related rows at hand, as the constructor keeps them
    cache.update({"instrument": instrument, "case": case, "follow_up": follow_up, "recorded_by": actor})
    changes: dict[str, list[Any]] = {
        "instrument": [None, f"{instrument.code} v{instrument.version}"],
        "collected_on": [None, day.isoformat()],
        "composite": [None, None if response.composite is None else str(response.composite)],
        "band": [None, response.band],
    }
    if follow_up is not None:
        changes["round"] = [None, follow_up.round]
    if sample:
        changes["sample_id"] = [None, sample]
    return Prepared(response, follow_up, changes, case.uuid if case is not None else None)


def save_responses(actor: Any, batch: list[Prepared]) -> list[Response]:
    """Save prepared responses together: one insert, their rounds done, one audit entry
    each under one take of the log's lock. A submission stored already (or twice in the
    batch) is a Duplicate and nothing of the batch is saved."""
    ids = [p.response.submission_id for p in batch if p.response.submission_id]
    with transaction.atomic():
        if len(set(ids)) != len(ids) or (
            ids
            and Response.objects.filter(instrument=batch[0].response.instrument, submission_id__in=ids)
            .exclude(submission_id="")  # lets the database use the partial unique index
            .exists()
        ):
            raise Duplicate(_("This submission was already imported."), "submission_id")
        try:
            with transaction.atomic():  # two imports of one submission at once: one wins
                if len(batch) == 1:
                    batch[0].response.save(force_insert=True)
                    saved = [batch[0].response]
                else:
                    saved = _insert([p.response for p in batch])
        except IntegrityError:
            rounds = [p.follow_up.pk for p in batch if p.follow_up is not None]
            if rounds and Response.objects.filter(follow_up__in=rounds).exists():
                # Answered at the same moment by someone else (one per round: the constraint).
                raise TransitionRefused(
                    _("This round has just been answered by someone else."), "follow_up"
                ) from None
            raise Duplicate(_("This submission was already imported."), "submission_id") from None
        _complete_rounds([(p.follow_up, p.response.collected_on) for p in batch if p.follow_up is not None])
        record_many(
            actor,
            "monitoring.response",
            [(p.response, p.changes, p.case_uuid) for p in batch],
        )
        # One call for the batch: in-transaction subscribers (the webhooks outbox) pay once
        # per import chunk. Comparison samples have no case, so nothing to announce.
        emit_many([_scored(p) for p in batch if p.response.case_id is not None])
    return saved


def _scored(prepared: Prepared) -> ScoreComputed:
    return scored_event(prepared.response, prepared.follow_up)


def scored_event(response: Response, follow_up: FollowUp | None = None) -> ScoreComputed:
    """The event announcing a case's response scored (saved, or its answers corrected)."""
    assert response.case_id is not None
    follow_up = follow_up if follow_up is not None else response.follow_up
    return ScoreComputed(
        response_uuid=response.uuid,
        case_id=response.case_id,
        instrument=response.instrument.code,
        instrument_version=response.instrument.version,
        round=follow_up.round if follow_up is not None else None,
        collected_on=response.collected_on,
        band=response.band or "",
    )


def record_response(actor: Any, instrument: Instrument, **values: Any) -> Response:
    """Check, score and save one response (see the module's docstring and
    `prepare_response` for the values). The same answers sent again moments later (Back and
    the button again) are refused (`remis/audit/once.py`)."""
    from remis.audit.once import sent_once

    prepared = prepare_response(actor, instrument, **values)
    response = prepared.response
    content = [
        instrument.pk, response.case_id, response.sample_id, response.follow_up_id,
        response.item_key, response.collected_on, response.answers,
    ]  # fmt: skip
    with transaction.atomic():
        sent_once(actor, "monitoring.response", content, "collected_on")
        return save_responses(actor, [prepared])[0]


def same_answer(a: Any, b: Any) -> bool:
    """Equal answers, "2.50", "2.5" and 2.5 alike (a spreadsheet rewrites decimals, the page
    sends numbers as text, the API as numbers)."""
    if a == b:
        return True
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def plain_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready answers: dates as ISO text, tuples as lists, Decimals as text."""
    out: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Decimal):
            value = str(value)
        out[name] = value
    return out


def _insert(responses: list[Response]) -> list[Response]:
    """Insert new responses in one statement run for all (`lib/bulk.py`), then learn their
    ids where the insert did not give them (it does on PostgreSQL): on SQLite from the last
    one inserted, elsewhere by their uuids."""
    insert_objects(Response, responses)
    if all(response.pk is not None for response in responses):
        return responses  # given by the insert, as the cases import's `_read_ids` finds too
    if connection.vendor == "sqlite":
        # Inserted one after the other by this connection, which holds the database's only
        # write lock: each took the next id (AUTOINCREMENT never reuses one), so the ids run
        # up to the connection's last insert. Looking 5,000 uuids up cost more.
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone()
        first = last - len(responses) + 1
        for offset, response in enumerate(responses):
            response.pk = first + offset
        return responses
    ids = dict(Response.objects.filter(uuid__in=[r.uuid for r in responses]).values_list("uuid", "id"))
    for response in responses:
        response.pk = ids[response.uuid]
    return responses


def _complete_rounds(answered: list[tuple[FollowUp, dt.date]]) -> None:
    """Answers collected for a round mean the returnee was reached: the round is done (one
    statement for the batch, each round with its own day)."""
    if not answered:
        return
    table = FollowUp._meta.db_table
    sql = (
        f"UPDATE {table} SET status = %s, done_on = %s, lost_on = NULL, version = version + 1 "  # noqa: S608
        "WHERE id = %s AND status IN (%s, %s)"
    )
    open_states = (FollowUpStatus.SCHEDULED.value, FollowUpStatus.LOST.value)
    # In the order of the window (as of the due day): the status indexes are ordered by due
    # day after the status, so neighbouring rows touch neighbouring index pages.
    ordered = sorted(answered, key=lambda pair: (pair[0].window_start, pair[0].pk))
    if connection.vendor == "postgresql":
        # One statement for all: run per row, 6,000 updates cost the server about a second.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, done_on = answered.day, lost_on = NULL, "  # noqa: S608
                "version = version + 1 FROM unnest(%s::bigint[], %s::date[]) AS answered(id, day) "
                f"WHERE {table}.id = answered.id AND status IN (%s, %s)",
                [
                    FollowUpStatus.DONE.value,
                    [follow_up.pk for follow_up, _day in ordered],
                    [day for _follow_up, day in ordered],
                    *open_states,
                ],
            )
        return
    rows = [(FollowUpStatus.DONE.value, day, follow_up.pk, *open_states) for follow_up, day in ordered]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rescore(instrument: Instrument, *, progress: Any = None) -> int:
    """Recompute the scores of every response to this instrument version with its own
    definition (after a scoring fix; new weights are a new version, whose responses are
    scored as they are saved). Returns the number of responses rescored. Plain SQL in
    chunks, in parallel processes for large runs (monitoring/rescoring.py)."""
    from remis.monitoring.rescoring import rescore_instrument

    total = Response.objects.filter(instrument=instrument).count()
    return rescore_instrument(compile_scorer(definition_of(instrument)), instrument.pk, total, progress)


def case_scores(case: Case) -> list[Response]:
    """The case's reintegration responses with their rounds, oldest first (the case page's
    trend); the caller has checked the case."""
    return list(
        Response.objects.filter(case=case)
        .exclude(instrument__code="assistance-satisfaction")
        .select_related("instrument", "follow_up")
        .order_by("collected_on", "id")
    )
