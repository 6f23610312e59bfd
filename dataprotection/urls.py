from django.urls import path

from .views import audit, privacy

app_name = "dataprotection"

urlpatterns = [
    path("data-protection/history/", audit.history_index, name="history"),
    path("data-protection/history/<str:label>/<int:pk>/", audit.record_history, name="record_history"),
    path("data-protection/access-log/", audit.access_log, name="access_log"),
    path("data-protection/privacy-notice/", privacy.privacy_edit, name="privacy_edit"),
    path("privacy/", privacy.privacy_index, name="privacy_index"),
    path("privacy/<str:code>/", privacy.privacy_notice, name="privacy_notice"),
]
