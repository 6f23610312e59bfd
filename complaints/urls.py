from django.urls import path

from .views import files, governors, handling, hearing, parents

app_name = "complaints"

urlpatterns = [
    # The headteacher
    path("", handling.complaint_list, name="list"),
    path("deadlines/", handling.deadline_settings, name="settings"),
    # The member of staff handling the informal stage
    path("assigned/", handling.assigned_to_me, name="assigned"),
    path("<int:pk>/", handling.complaint_detail, name="detail"),
    path("<int:pk>/acknowledge/", handling.acknowledge, name="acknowledge"),
    path("<int:pk>/respond/", handling.respond, name="respond"),
    path("<int:pk>/notes/", handling.add_note, name="note_add"),
    path("<int:pk>/stage/", handling.change_stage, name="stage"),
    path("<int:pk>/incident/", handling.link_incident, name="link_incident"),
    path("<int:pk>/handler/", handling.assign_handler, name="assign_handler"),
    path("<int:pk>/release-names/", handling.release_names, name="release_names"),
    path("<int:pk>/files/<int:attachment_pk>/release/", handling.release_attachment, name="release_attachment"),
    # Parents
    path("raise/", parents.raise_complaint, name="raise"),
    path("mine/", parents.my_complaints, name="my_complaints"),
    path("mine/<int:pk>/", parents.my_complaint, name="my_complaint"),
    # Governors
    path("panel/", governors.governor_list, name="governor_list"),
    path("panel/<int:pk>/declare/", governors.declare, name="declare"),
    path("panel/<int:pk>/", governors.panel_bundle, name="panel_bundle"),
    path("panel/<int:pk>/letter/", governors.panel_letter_draft, name="panel_letter_draft"),
    path("panel/<int:pk>/hearing/", hearing.hearing, name="hearing"),
    path("<int:pk>/hearing/<int:hearing_pk>/letter/", hearing.hearing_letter, name="hearing_letter"),
    path("<int:pk>/hearing/<int:hearing_pk>/again/", hearing.hearing_letter_again, name="hearing_letter_again"),
    path("<int:pk>/outcome-letter/", governors.panel_letter, name="panel_letter"),
    path("<int:pk>/outcome-letter/again/", governors.panel_letter_again, name="panel_letter_again"),
    path("statistics/", governors.statistics, name="statistics"),
    path("reports/", governors.reports, name="reports"),
    path("reports/new/", governors.report_request, name="report_request"),
    path("reports/<int:pk>/", governors.termly_report, name="termly_report"),
    path("reports/<int:pk>/again/", governors.report_again, name="report_again"),
    # Files
    path("files/<int:pk>/", files.attachment_download, name="attachment"),
]
