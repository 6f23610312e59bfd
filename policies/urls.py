from django.urls import path

from .views import manage, reading

app_name = "policies"

urlpatterns = [
    path("", manage.policy_list, name="list"),
    path("new/", manage.policy_create, name="create"),
    path("to-read/", reading.staff_list, name="staff_list"),
    path("school/", reading.school_policies, name="school_policies"),
    path("<int:pk>/", manage.policy_detail, name="detail"),
    path("<int:pk>/details/", manage.policy_settings, name="settings"),
    path("<int:pk>/new-draft/", manage.draft_start, name="draft_start"),
    path("<int:pk>/import/", manage.draft_import, name="import"),
    path("<int:pk>/compare/", manage.compare, name="compare"),
    path("<int:pk>/v/<int:number>/", reading.version_detail, name="version"),
    path("<int:pk>/v/<int:number>/edit/", manage.draft_edit, name="draft_edit"),
    path("<int:pk>/v/<int:number>/submit/", manage.version_submit, name="submit"),
    path("<int:pk>/v/<int:number>/return/", manage.version_return, name="return"),
    path("<int:pk>/v/<int:number>/approve/", manage.version_approve, name="approve"),
    path("<int:pk>/v/<int:number>/acknowledge/", reading.acknowledge, name="acknowledge"),
    path("<int:pk>/v/<int:number>/acknowledgements/", manage.acknowledgements, name="acknowledgements"),
    path("<int:pk>/v/<int:number>/acknowledgements/remind/", manage.acknowledgement_reminder, name="remind"),
    path("<int:pk>/v/<int:number>/pdf/", reading.version_pdf, name="version_pdf"),
    path("<int:pk>/v/<int:number>/pdf/again/", reading.version_pdf_again, name="version_pdf_again"),
    path("public/<str:code>/", reading.public_index, name="public_index"),
    path("public/<str:code>/<slug:slug>/", reading.public_detail, name="public_detail"),
    path("public/<str:code>/<slug:slug>/pdf/", reading.public_pdf, name="public_pdf"),
]
