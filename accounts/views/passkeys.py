"""Passkeys: the person's own list (add, rename, remove), the passkey path through first-time
two-factor set-up, and passkey sign-in completed with the portal's own rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView

from accounts.http import AuthenticatedRequest

from .. import passkeys, two_factor


@login_required
def passkey_list(request: AuthenticatedRequest) -> HttpResponse:
    """The person's passkeys, and a button to add one on this device."""
    return render(
        request,
        "accounts/passkeys.html",
        {"passkeys": passkeys.passkeys_for(request.user), "max_name": passkeys.MAX_NAME},
    )


@require_POST
@login_required
def passkey_rename(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        passkey = passkeys.rename(user=request.user, pk=pk, name=request.POST.get("name", ""))
    except passkeys.PasskeyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Renamed: “{passkey.name}”.")
    return redirect("accounts:passkeys")


@require_POST
@login_required
def passkey_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        name = passkeys.remove(user=request.user, pk=pk)
    except passkeys.PasskeyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Removed “{name}”. It can no longer sign you in.")
    return redirect("accounts:passkeys")


@login_required
def passkey_enrolled(request: AuthenticatedRequest) -> HttpResponse:
    """After a first passkey made at two-factor set-up: the recovery codes, shown once."""
    device = getattr(request.user, "otp_device", None)
    if not isinstance(device, WebAuthnCredential):
        return redirect("dashboard:home")
    if StaticDevice.objects.filter(user=request.user, name=two_factor.RECOVERY_DEVICE_NAME).exists():
        messages.success(request, "Your passkey is added.")
        return redirect("accounts:passkeys")
    codes = two_factor.issue_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


class PasskeySignInCompleteView(CompleteCredentialAuthenticationView):
    """The library's completion, with the portal's rules: a person switched off, or with no
    school left where they are active, cannot sign in with a passkey either."""

    def check_device_usable(self, device) -> None:
        super().check_device_usable(device)
        user = device.user
        if not user.is_superuser and not user.memberships.filter(is_active=True).exists():
            raise exceptions.UserDisabled()

    def get_success_url(self) -> str:
        from django.urls import reverse

        return self.get_redirect_url() or reverse("dashboard:home")
