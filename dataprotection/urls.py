from django.urls import path

from .views import audit, privacy, requests, retention

app_name = "dataprotection"

urlpatterns = [
    path("data-protection/history/", audit.history_index, name="history"),
    path("data-protection/history/<str:label>/<int:pk>/", audit.record_history, name="record_history"),
    path("data-protection/access-log/", audit.access_log, name="access_log"),
    path("data-protection/privacy-notice/", privacy.privacy_edit, name="privacy_edit"),
    path("data-protection/retention/", retention.schedule, name="schedule"),
    path("data-protection/review/", retention.review_list, name="review_list"),
    path("data-protection/review/<int:pk>/", retention.review_decide, name="review_decide"),
    path("data-protection/destroyed/", retention.destruction_log, name="destruction_log"),
    path("data-protection/requests/", requests.register, name="sar_register"),
    path("data-protection/requests/new/", requests.register_new, name="sar_new"),
    path("data-protection/requests/<int:pk>/", requests.detail, name="sar_detail"),
    path("data-protection/requests/<int:pk>/identity/", requests.identity, name="sar_identity"),
    path("data-protection/requests/<int:pk>/extend/", requests.extend, name="sar_extend"),
    path("data-protection/requests/<int:pk>/withdraw/", requests.withdraw, name="sar_withdraw"),
    path("data-protection/requests/<int:pk>/gather/", requests.gather, name="sar_gather"),
    path("data-protection/requests/<int:pk>/release-kind/", requests.release_kind, name="sar_release_kind"),
    path("data-protection/requests/<int:pk>/items/<int:item_pk>/", requests.item, name="sar_item"),
    path("data-protection/requests/<int:pk>/release/", requests.release, name="sar_release"),
    path("data-protection/requests/<int:pk>/release/status/", requests.release_status, name="sar_release_status"),
    path("data-protection/requests/<int:pk>/release/download/", requests.download, name="sar_download"),
    path("data-protection/requests/<int:pk>/tell/", requests.tell_requester, name="sar_tell"),
    path("privacy/", privacy.privacy_index, name="privacy_index"),
    path("privacy/<str:code>/", privacy.privacy_notice, name="privacy_notice"),
]
