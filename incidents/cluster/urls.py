from django.urls import path

from . import views

app_name = "cluster_alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("incident/<int:pk>/step/<int:step_pk>/", views.compose, name="compose"),
]
