from django.contrib.auth import views as auth_views
from django.urls import path

from .views import auth, invitations, people, records, roll

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", auth.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", auth.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", auth.recovery_codes, name="recovery_codes"),
    path("switch-school/", auth.switch_school, name="switch_school"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("pupils/", records.pupil_list, name="pupil_list"),
    path("pupils/search/", records.pupil_search, name="pupil_search"),
    path("pupils/new/", records.pupil_edit, name="pupil_create"),
    path("pupils/<int:pk>/", records.pupil_detail, name="pupil_detail"),
    path("pupils/<int:pk>/edit/", records.pupil_edit, name="pupil_edit"),
    path("pupils/<int:pk>/parents/<int:link_pk>/remove/", records.parent_link_remove, name="parent_link_remove"),
    path("classes/", records.class_list, name="class_list"),
    path("classes/new/", records.class_edit, name="class_create"),
    path("classes/<int:pk>/edit/", records.class_edit, name="class_edit"),
    path("classes/<int:pk>/delete/", records.class_delete, name="class_delete"),
    path("invitations/", invitations.invitation_list, name="invitation_list"),
    path("invitations/families/", invitations.invitation_bulk, name="invitation_bulk"),
    path("invitations/send-expired-again/", invitations.invitation_resend_expired, name="invitation_resend_expired"),
    path("invitations/new/", records.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/resend/", records.invitation_resend, name="invitation_resend"),
    path("invite/<str:token>/", records.accept_invitation, name="accept_invitation"),
    path("people/", people.people_list, name="people_list"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/switch-off/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reset-second-factor/", people.person_reset_second_factor, name="person_reset_second_factor"),
    path("people/roles/<int:pk>/change/", people.membership_change, name="membership_change"),
    path("people/roles/<int:pk>/remove/", people.membership_remove, name="membership_remove"),
    path("roll/imports/", roll.roll_import_list, name="roll_import_list"),
    path("roll/imports/new/", roll.roll_import_start, name="roll_import_start"),
    path("roll/imports/<int:pk>/", roll.roll_import_detail, name="roll_import_detail"),
    path("roll/imports/<int:pk>/columns/", roll.roll_import_columns, name="roll_import_columns"),
    path("roll/imports/<int:pk>/confirm/", roll.roll_import_confirm, name="roll_import_confirm"),
    path("roll/imports/<int:pk>/discard/", roll.roll_import_discard, name="roll_import_discard"),
    path("roll/imports/<int:pk>/download/", roll.roll_import_csv, name="roll_import_csv"),
]
