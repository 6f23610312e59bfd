"""django-otp-webauthn's API under the "otp_webauthn" namespace its scripts expect, with the
sign-in completion replaced by the portal's own (accounts.views.passkeys)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialRegistrationView,
)

from .views.passkeys import PasskeySignInCompleteView

app_name = "otp_webauthn"

urlpatterns = [
    path("registration/begin/", BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/", CompleteCredentialRegistrationView.as_view(), name="credential-registration-complete"
    ),
    path("authentication/begin/", BeginCredentialAuthenticationView.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", PasskeySignInCompleteView.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
