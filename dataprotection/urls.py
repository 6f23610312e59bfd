from django.urls import path

from .views import audit, privacy, retention

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
    path("privacy/", privacy.privacy_index, name="privacy_index"),
    path("privacy/<str:code>/", privacy.privacy_notice, name="privacy_notice"),
]
