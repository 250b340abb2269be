from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from remis.accounts import views as account_views
from remis.accounts.views import two_factor as two_factor_views
from remis.api import api
from remis.api import unknown_path as unknown_api_path
from remis.audit import views as audit_views
from remis.cases import views as case_views
from remis.jobs import views as job_views
from remis.programmes import views as programme_views
from remis.services import views as service_views

urlpatterns = [
    path("", case_views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/language/", account_views.set_language, name="set_language"),
    path("accounts/tokens/", account_views.api_tokens, name="api_tokens"),
    path("accounts/password/", account_views.change_password, name="change_password"),
    path("accounts/two-factor/", two_factor_views.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/code/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", two_factor_views.two_factor_codes, name="two_factor_codes"),
    path("my-work/", case_views.my_work, name="my_work"),
    path("my-work/lists/<slug:kind>/", case_views.work_card, name="work_card"),
    path("my-work/submissions/", case_views.submissions_waiting, name="submissions_waiting"),
    path("my-work/unassigned/", case_views.unassigned_cases, name="unassigned_cases"),
    path("my-work/post-arrival/", case_views.post_arrival_waiting, name="post_arrival_waiting"),
    path("my-work/declined/", case_views.declined_submissions, name="submissions_declined"),
    path("my-work/erasures/", case_views.erasures_waiting, name="erasures_waiting"),
    path("", include("remis.accounts.urls")),  # administration and invitations
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.register, name="case_register"),
    path(
        "cases/new/post-arrival/", case_views.register, {"post_arrival": True}, name="case_open_post_arrival"
    ),
    path("cases/new/member-row/", case_views.member_row, name="case_member_row"),
    path("cases/<uuid:case_uuid>/", case_views.case_detail, name="case_detail"),
    path("cases/<uuid:case_uuid>/do/<slug:step>/", case_views.case_step, name="case_step"),
    path(
        "cases/<uuid:case_uuid>/documents/<int:document_id>/",
        case_views.document_download,
        name="document_download",
    ),
    path(
        "cases/<uuid:case_uuid>/subject-access/",
        case_views.subject_access_download,
        name="case_subject_access",
    ),
    path("audit/", audit_views.audit_search, name="audit_search"),
    path("audit/reads/", audit_views.read_log, name="read_log"),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/start/", job_views.job_start, name="job_start"),
    path("jobs/<uuid:job_uuid>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("programmes/", programme_views.programme_list, name="programme_list"),
    path("programmes/<slug:code>/settings/", programme_views.programme_settings, name="programme_settings"),
    path("services/", service_views.provider_list, name="provider_list"),
    path("services/providers.geojson", service_views.provider_geojson, name="provider_geojson"),
    path("services/providers/new/", service_views.provider_create, name="provider_create"),
    path("services/providers/<uuid:provider_uuid>/", service_views.provider_detail, name="provider_detail"),
    path("services/providers/<uuid:provider_uuid>/edit/", service_views.provider_edit, name="provider_edit"),
    path("services/stakeholders/", service_views.stakeholder_list, name="stakeholder_list"),
    path("services/stakeholders/new/", service_views.stakeholder_create, name="stakeholder_create"),
    path(
        "services/stakeholders/<int:stakeholder_id>/", service_views.stakeholder_edit, name="stakeholder_edit"
    ),
    path("services/sheets/<str:country>/", service_views.country_sheet, name="country_sheet"),
    path("services/sheets/<str:country>/pdf/", service_views.country_sheet_pdf, name="country_sheet_pdf"),
    path("", include("remis.programmes.urls")),
    path("", include("remis.assessments.urls")),
    path("", include("remis.assistance.urls")),
    path("", include("remis.referrals.urls")),
    path("", include("remis.communities.urls")),
    path("", include("remis.monitoring.urls")),
    path("", include("remis.reports.urls")),
    path("", include("remis.webhooks.urls")),
    path("", include("remis.indicators.urls")),
    path("", include("remis.interop.urls")),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_api_path),
]
