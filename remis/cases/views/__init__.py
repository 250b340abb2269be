"""Case pages. Views parse, call an action or a query, and render; nothing else."""

from remis.cases.views.case_page import case_detail, case_step, document_download, subject_access_download
from remis.cases.views.lists import (
    case_list,
    dashboard,
    declined_submissions,
    erasures_waiting,
    my_work,
    post_arrival_waiting,
    submissions_waiting,
    unassigned_cases,
    work_card,
)
from remis.cases.views.registration import member_row, register

__all__ = [
    "case_detail",
    "case_list",
    "case_step",
    "dashboard",
    "declined_submissions",
    "document_download",
    "erasures_waiting",
    "member_row",
    "my_work",
    "post_arrival_waiting",
    "register",
    "subject_access_download",
    "submissions_waiting",
    "unassigned_cases",
    "work_card",
]
