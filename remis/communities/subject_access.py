"""A person's part in community projects, for their subject access export
(`remis/audit/subject_access.py`; registered in `CommunitiesConfig.ready`): each project
their case takes part in, where and since when."""

from __future__ import annotations

from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.countries import country_name
from remis.lib.tables import Table, model_table


def community_tables(request: SubjectRequest) -> list[Table]:
    from remis.communities.models import Participant

    taking_part = (
        Participant.objects.filter(case_id__in=request.principal_case_ids)
        .select_related("case", "project__organisation")
        .order_by("case_id", "joined_on", "id")
    )
    return [
        model_table(
            _("Community projects"),
            Participant,
            taking_part,
            [
                (_("Case"), lambda p: p.case.reference),
                (_("Project"), lambda p: p.project.name),
                (_("Type"), lambda p: p.project.get_kind_display()),
                (_("Organisation"), lambda p: p.project.organisation.name),
                (_("Country"), lambda p: country_name(p.project.country)),
                "joined_on",
            ],
        )
    ]
