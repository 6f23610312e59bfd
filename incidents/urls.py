from django.urls import path

from .views import cases, files, platforms, reporting, triage

app_name = "incidents"

urlpatterns = [
    path("", cases.incident_list, name="list"),
    path("report/", reporting.report, name="report"),
    path("mine/", reporting.my_reports, name="my_reports"),
    path("mine/<int:pk>/", reporting.report_status, name="report_status"),
    path("mine/<int:pk>/filed/", reporting.report_done, name="report_done"),
    path("mine/<int:pk>/evidence/", reporting.report_add_evidence, name="report_add_evidence"),
    path("<int:pk>/", cases.incident_detail, name="detail"),
    path("<int:pk>/timeline/", cases.incident_timeline, name="timeline"),
    path("<int:pk>/triage/", triage.incident_triage, name="triage"),
    path("triage/pupils/", triage.pupil_search, name="pupil_search"),
    path("triage/parents/", triage.parent_search, name="parent_search"),
    path("<int:pk>/steps/", cases.step_add, name="step_add"),
    path("<int:pk>/steps/<int:step_pk>/outcome/", cases.step_outcome, name="step_outcome"),
    path("<int:pk>/steps/skip/", cases.step_skip, name="step_skip"),
    path("<int:pk>/status/", cases.status_change, name="status_change"),
    path("<int:pk>/posh/", cases.posh_summary, name="posh_summary"),
    path("<int:pk>/restriction/", cases.restriction, name="restriction"),
    path("<int:pk>/notes/", cases.note_add, name="note_add"),
    path("<int:pk>/evidence/", cases.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", files.evidence_download, name="evidence_download"),
    path("platforms/", platforms.platform_list, name="platform_list"),
    path("platforms/new/", platforms.platform_create, name="platform_create"),
    path("platforms/<int:pk>/", platforms.platform_edit, name="platform_edit"),
]
