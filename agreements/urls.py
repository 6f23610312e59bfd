from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.parent_home, name="parent_home"),
    path("sign/", views.sign, name="sign"),
    path("sign/<int:pupil_id>/", views.sign_child, name="sign_child"),
    path("signatures/<int:pk>/", views.verify, name="verify"),
    path("signatures/<int:pk>/pdf/", views.signature_pdf, name="signature_pdf"),
    path("signatures/<int:pk>/scan/", views.signature_scan, name="signature_scan"),
    path("signatures/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/class/<int:pk>/", views.class_coverage, name="class_coverage"),
    path("coverage/export.csv", views.coverage_csv, name="coverage_csv"),
    path("paper/<int:link_id>/", views.paper_signature, name="paper_signature"),
    path("versions/", views.version_list, name="version_list"),
    path("versions/new/", views.version_edit, name="version_create"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
]
