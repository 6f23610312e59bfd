from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("incident/<int:incident_pk>/", views.incident_letters, name="incident"),
    path("incident/<int:incident_pk>/new/", views.letter_new, name="new"),
    path("incident/<int:incident_pk>/bundle/", views.bundle_create, name="bundle_create"),
    path("<int:pk>/", views.letter_detail, name="detail"),
    path("<int:pk>/edit/", views.letter_edit, name="edit"),
    path("<int:pk>/finalise/", views.letter_finalise, name="finalise"),
    path("<int:pk>/status/", views.letter_status, name="status"),
    path("<int:pk>/pdf/", views.letter_pdf, name="pdf"),
    path("<int:pk>/again/", views.letter_again, name="again"),
    path("<int:pk>/email/", views.letter_email, name="email"),
    path("<int:pk>/handover/", views.letter_handover, name="handover"),
    path("wording/", views.wording_list, name="wording_list"),
    path("wording/<str:kind>/", views.wording_edit, name="wording_edit"),
    path("bundles/<int:pk>/", views.bundle_detail, name="bundle_detail"),
    path("bundles/<int:pk>/status/", views.bundle_status, name="bundle_status"),
    path("bundles/<int:pk>/again/", views.bundle_again, name="bundle_again"),
    path("bundles/<int:pk>/download/", views.bundle_download, name="bundle_download"),
]
