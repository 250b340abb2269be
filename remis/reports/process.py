"""Process and service-quality indicators for a cohort (the returns of a period, in the
reader's scope, as the outcomes page counts them), from the analytics copy: days from
arrival to the plan's first approval and to the first payment, referral acceptance and
completion, how visits reached returnees (in person, by phone, remotely, by a partner), and
the share of monitoring rounds done within their window.

For readers of aggregates only, a figure resting on fewer cases than the small-cell
threshold is not shown (a median of two cases describes two people)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from remis.reports import analytics
from remis.reports.statistics import Filters, cohort_where, threshold_for

ACCEPTED = ("accepted", "in_progress", "completed", "failed")  # the provider said yes
ANSWERED = (*ACCEPTED, "declined")
ENDED = ("completed", "failed")
# The counts the page prints beside each indicator (and the cohort's size above them).
COUNTS = ("cases", "answered", "ended", "submissions_answered", "held", "rounds_closed")


@dataclass
class Delay:
    cases: int  # cases with the event
    median: float | None  # days from arrival
    mean: float | None
    hidden: bool = False


@dataclass
class Process:
    cases: int
    approval: Delay
    payment: Delay
    referrals: int
    answered: int
    accepted: int
    ended: int
    completed: int
    visits: list[tuple[str, str, int]] = field(default_factory=list)  # (mode, label, visits)
    rounds_closed: int = 0
    rounds_done: int = 0
    # Case workers holding the cohort's cases: how many, and cases per worker.
    workers: int = 0
    held: int = 0  # cases with at least one worker
    assigned: int = 0  # (case, worker) pairs: a case held by two counts for both
    per_worker_median: float | None = None
    per_worker_max: int | None = None
    # Submissions to reintegration partners: answered, and answered by their due time. (Still
    # unanswered ones belong to cases not returned yet, outside this cohort: the dashboard
    # lists those overdue.)
    submissions_answered: int = 0
    submissions_in_time: int = 0
    threshold: int = 0
    rounds_withheld: bool = False  # see `count_marks`

    @property
    def count_marks(self) -> dict[str, str]:
        """For readers of aggregates only, the counts not printed and what stands in their
        place, named as the fields (`approval` and `payment`: their cases): "<threshold" for
        a count from 1 to one below it ("For the 3 cases" of a single day gave away the
        returns that the return statistics hide); "x" for a larger one that would give a
        small count away: beside the cohort's size ("80 of 81 cases approved" said one was
        not), or the rounds closed beside an attrition table with hidden cells (their sum
        gave those cells back: `withhold_with_attrition`)."""
        if not self.threshold:
            return {}
        counts = {name: getattr(self, name) for name in COUNTS}
        counts.update(approval=self.approval.cases, payment=self.payment.cases)
        marks = {name: f"<{self.threshold}" for name, n in counts.items() if 0 < n < self.threshold}
        if "cases" in marks:
            # A handful of cases: every count about them gives their number back (6 rounds
            # closed at two rounds each said 3 cases).
            return {name: marks.get(name, "x") for name, n in counts.items() if n > 0}
        for name in ("approval", "payment", "held"):
            if name not in marks and 0 < self.cases - counts[name] < self.threshold:
                marks[name] = "x"
        # The referrals answered beside those that ended (a part of the accepted ones): 13
        # answered and 12 ended with the acceptance rate withheld said one was declined.
        if (
            0 < self.answered - self.accepted < self.threshold
            or 0 < self.ended - self.completed < self.threshold
        ):
            for name in ("answered", "ended"):
                if counts[name] and name not in marks:
                    marks[name] = "x"
        if self.rounds_withheld and "rounds_closed" not in marks:
            marks["rounds_closed"] = "x"
        return marks

    @property
    def hidden_counts(self) -> frozenset[str]:
        """The counts not printed (`count_marks`)."""
        return frozenset(self.count_marks)

    def _rate(self, part: int, whole: int) -> float | None:
        """part / whole; for readers of aggregates only, none when either side of the split
        is a small count (a rate beside its base gives the part away)."""
        if not whole:
            return None
        if self.threshold and any(0 < n < self.threshold for n in (whole, part, whole - part, self.cases)):
            return None  # a handful of cases: no share of them either ("100 %" of three)
        return part / whole

    @property
    def acceptance_rate(self) -> float | None:
        """Of the referrals the providers answered, the share they accepted."""
        return self._rate(self.accepted, self.answered)

    @property
    def completion_rate(self) -> float | None:
        """Of the accepted referrals that ended, the share completed (not failed)."""
        return self._rate(self.completed, self.ended)

    @property
    def in_time_rate(self) -> float | None:
        """Of the submissions a partner answered, the share answered by the due time."""
        return self._rate(self.submissions_in_time, self.submissions_answered)

    @property
    def cases_per_worker(self) -> float | None:
        """Cases held per case worker holding any (a case held by two counts for both)."""
        if not self.workers or (self.threshold and self.held < self.threshold):
            return None
        # The mean of the same counts the median and maximum read: the cases held divided
        # by the workers said 0.5 beside a median and maximum of 1 (one case, two workers).
        return self.assigned / self.workers

    @property
    def within_window_rate(self) -> float | None:
        """Of the rounds whose window has closed, the share done."""
        return self._rate(self.rounds_done, self.rounds_closed)


def _delay(store: analytics.Store, cohort: str, params: list[Any], table: str, column: str) -> Delay:
    row = store.query(
        f"WITH p AS MATERIALIZED ({cohort}), d AS ("  # noqa: S608  (names are constants)
        f"SELECT min(e.{column}) - p.period_day AS days FROM p JOIN {table} e ON e.case_id = p.case_id "
        "WHERE p.period_day IS NOT NULL GROUP BY p.case_id, p.period_day) "
        "SELECT count(*), median(days), avg(days) FROM d",
        params,
    )[0]
    return Delay(
        int(row[0]), None if row[1] is None else float(row[1]), None if row[2] is None else float(row[2])
    )


def process_indicators(actor: Any, filters: Filters, attrition: Iterable[Any] = ()) -> Process | None:
    """None when the actor counts nothing. `attrition`: the attrition table printed beside
    it, as hidden for the actor (`withhold_with_attrition`)."""
    from remis.lib.suppression import suppress_1d
    from remis.monitoring.models import VisitMode
    from remis.reports.outcomes import hidden_mark

    where = cohort_where(actor, filters)
    if where is None:
        return None
    condition, params = where
    cohort = f"SELECT * FROM persons p WHERE {condition} AND p.principal"  # noqa: S608
    today = timezone.localdate()
    with analytics.locked():
        store = analytics.fresh()
        cases = int(store.query(f"SELECT count(*) FROM ({cohort})", params)[0][0])  # noqa: S608
        approval = _delay(store, cohort, params, "approvals", "approved_on")
        payment = _delay(store, cohort, params, "payments", "paid_on")
        statuses = dict(
            store.query(
                f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
                "SELECT r.status, count(*) FROM p JOIN referrals r ON r.case_id = p.case_id "
                "GROUP BY r.status",
                params,
            )
        )
        modes = dict(
            store.query(
                f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
                "SELECT v.mode, count(*) FROM p JOIN visits v ON v.case_id = p.case_id GROUP BY v.mode",
                params,
            )
        )
        # The rounds whose window has closed (the attrition table's done, lost and missed),
        # and those of them done on a day inside their window: counting every done round,
        # those still in their window too, read 94 where the attrition table read 81.
        closed, done = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            "SELECT count(*), count(*) FILTER (WHERE f.status = 'done' "
            "AND f.done_on BETWEEN f.window_start AND f.window_end) "
            "FROM p JOIN rounds f ON f.case_id = p.case_id "
            "WHERE f.window_end < ? AND f.status <> 'stopped'",
            [*params, today],
        )[0]
        workload = store.query(
            f"WITH p AS MATERIALIZED ({cohort}), w AS ("  # noqa: S608
            "SELECT a.user_id, count(*) AS n FROM p JOIN assignments a ON a.case_id = p.case_id "
            "GROUP BY a.user_id) "
            "SELECT count(*), median(n), max(n), "
            "(SELECT count(DISTINCT a.case_id) FROM p JOIN assignments a ON a.case_id = p.case_id), "
            "sum(n) FROM w",
            params,
        )[0]
        answered, in_time = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            "SELECT count(*) FILTER (WHERE s.in_time IS NOT NULL), count(*) FILTER (WHERE s.in_time = 1) "
            "FROM p JOIN submissions s ON s.case_id = p.case_id",
            params,
        )[0]
    threshold = threshold_for(actor)
    counts = {status: int(n) for status, n in statuses.items()}
    result = Process(
        cases=cases,
        approval=approval,
        payment=payment,
        referrals=sum(counts.values()),
        answered=sum(counts.get(s, 0) for s in ANSWERED),
        accepted=sum(counts.get(s, 0) for s in ACCEPTED),
        ended=sum(counts.get(s, 0) for s in ENDED),
        completed=counts.get("completed", 0),
        visits=[(code, str(label), int(modes.get(code, 0))) for code, label in VisitMode.choices],
        rounds_closed=int(closed),
        rounds_done=int(done),
        workers=int(workload[0]),
        held=int(workload[3] or 0),
        assigned=int(workload[4] or 0),
        per_worker_median=None if workload[1] is None else float(workload[1]),
        per_worker_max=None if workload[2] is None else int(workload[2]),
        submissions_answered=int(answered),
        submissions_in_time=int(in_time),
        threshold=threshold,
    )
    if threshold:
        if result.held < threshold:  # a handful of cases: no distribution of them by worker
            result.per_worker_median = result.per_worker_max = None
        for delay in (result.approval, result.payment):
            if 0 < delay.cases < threshold:
                delay.hidden, delay.median, delay.mean = True, None, None
        values = [n for _code, _label, n in result.visits]
        hidden = suppress_1d(values, threshold, sum(values))
        if 0 < result.cases < threshold:  # a handful of cases: their visits too
            hidden.cells = {i for i, n in enumerate(values) if n > 0}
        # "<5" for a small count, "x" for a larger one hidden with it (an only visit mode of
        # three visits read "x", which the legend says is a larger count).
        result.visits = [
            (code, label, hidden_mark(n, threshold) if i in hidden.cells else n)
            for i, (code, label, n) in enumerate(result.visits)
        ]
    withhold_with_attrition(result, attrition)
    return result


def withhold_with_attrition(process: Process | None, attrition: Iterable[Any]) -> None:
    """The outcomes page prints the attrition table beside this one: the rounds closed are
    the sum of its done, lost and missed cells, which gave back the cells it hides (81
    closed less the 79 shown: two rounds lost, one each). For readers of aggregates only,
    that count is withheld when the attrition table hides any cell."""
    if process is None or not process.threshold:
        return
    process.rounds_withheld = any(
        min(line.done, line.lost, line.missed, line.open, line.stopped) < 0 for line in attrition
    )
