"""The events an organisation can subscribe to: each a domain event of an earlier app, its
code (the event's own stable name) and a label for the pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from remis.cases.events import CaseClosed, CaseImported, CaseRegistered, StageChanged, SubmissionAnswered
from remis.lib.events import Event
from remis.monitoring.events import ScoreComputed, VisitRecorded
from remis.referrals.events import ReferralChanged


@dataclass(frozen=True)
class Subscribable:
    event_type: type[Event]
    label: str | Promise

    @property
    def code(self) -> str:
        return self.event_type.name


CATALOGUE: tuple[Subscribable, ...] = (
    Subscribable(CaseRegistered, _("Case created")),
    # A file's new cases: a receiver mirroring cases missed every imported one.
    Subscribable(CaseImported, _("Case imported")),
    Subscribable(StageChanged, _("Stage changed")),
    Subscribable(SubmissionAnswered, _("Submission answered")),
    Subscribable(ReferralChanged, _("Referral sent or updated")),
    Subscribable(VisitRecorded, _("Visit recorded")),
    Subscribable(ScoreComputed, _("Score computed")),
    Subscribable(CaseClosed, _("Case closed")),
)
EVENT_CODES: tuple[str, ...] = tuple(item.code for item in CATALOGUE)


def event_choices() -> list[tuple[str, str]]:
    return [(item.code, str(item.label)) for item in CATALOGUE]


def event_label(code: str) -> str:
    for item in CATALOGUE:
        if item.code == code:
            return str(item.label)
    return code
