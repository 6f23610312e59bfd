"""Sign-in, two-factor enrolment and verification, school switching."""

from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import i18n
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.http import AuthenticatedRequest
from schoolsocial.lib import ratelimit
from schoolsocial.lib.client_ip import client_ip

from .. import passkeys, two_factor
from ..forms import CodeForm, EmailAuthenticationForm, NewPasswordForm, QueuedPasswordResetForm
from ..lockout import clear_lockout
from ..middleware import MEMBERSHIP_SESSION_KEY

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from .. import sso

        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso.configured_providers()
        return context

    def render_to_response(self, context, **response_kwargs):
        from .. import sso

        response = super().render_to_response(context, **response_kwargs)
        # The school-account buttons post here and are redirected on to the provider, which the
        # CSP's form-action must allow (browsers check it on the redirect too).
        origins = sso.provider_origins()
        if origins:
            response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Limited per address and per client, so nobody can fill a mailbox with reset emails or
    use the page to send mail in bulk. Over the limit the same "check your email" page follows,
    so the page never says whether an address has an account."""

    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        hour = 60 * 60
        within_limits = ratelimit.allow(
            f"password-reset:client:{client_ip(self.request)}", limit=settings.PASSWORD_RESET_PER_CLIENT, seconds=hour
        ) and ratelimit.allow(
            f"password-reset:address:{ratelimit.hashed(form.cleaned_data['email'])}",
            limit=settings.PASSWORD_RESET_PER_ADDRESS,
            seconds=hour,
        )
        if not within_limits:
            logger.warning("Password reset not sent: too many requests for the address or from the client")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person proved they own the mailbox: a lockout from earlier wrong passwords would
        # otherwise keep them out with the password they have just chosen.
        clear_lockout(form.user.email)
        return response


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "dashboard:home"


@login_required
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    """First sign-in for a role that needs two-factor: scan the QR code, type a code."""
    if two_factor.has_confirmed_device(request.user):
        return redirect("accounts:two_factor_verify")
    device = two_factor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for schoolsocial."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip().replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = two_factor.issue_recovery_codes(request.user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error(
            "code", "That code did not match. Check the time on your phone is right and type the newest code."
        )
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    if not two_factor.has_confirmed_device(request.user):
        return redirect("accounts:two_factor_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Asked before trying the code: trying it (and failing) starts a new short pause.
        paused = two_factor.is_paused_after_wrong_codes(request.user)
        device = two_factor.verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                remaining = device.token_set.count()
                messages.warning(request, f"You used a recovery code. You have {remaining} left.")
            return redirect(_next_url(request))
        if paused:
            form.add_error(
                "code",
                "Too many wrong codes in a row, so codes from your app are paused for a short while. "
                "Wait a minute, then type the newest code (a recovery code still works now).",
            )
        else:
            form.add_error(
                "code", "That code did not work. Type the newest code from your app, or an unused recovery code."
            )
    context = {
        "form": form,
        "has_passkey": passkeys.has_passkey(request.user),
        "has_app": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
    }
    return render(request, "accounts/two_factor_verify.html", context)


@login_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Issue a new set of recovery codes (the old ones stop working)."""
    if not request.user.requires_two_factor:  # parents have no second factor to recover
        raise Http404("No such page.")
    if request.method == "POST":
        codes = two_factor.issue_recovery_codes(request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    return render(request, "accounts/recovery_codes_confirm.html")


@require_POST
@login_required
def switch_school(request: AuthenticatedRequest) -> HttpResponse:
    chosen = request.POST.get("membership", "")
    membership = next((m for m in request.user.active_memberships if str(m.pk) == chosen), None)
    if membership is not None:
        request.session[MEMBERSHIP_SESSION_KEY] = membership.pk
        messages.success(request, f"You are now acting as {membership.role_label} at {membership.school}.")
    return redirect("dashboard:home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language menu: Django's set_language (the cookie, a safe `next` redirect), and
    for a signed-in person the choice is kept on the account so emails reach them in it too."""
    response = i18n.set_language(request)
    chosen = request.POST.get("language", "")
    if chosen in dict(settings.LANGUAGES) and translation.check_for_language(chosen):
        user = request.user
        if user.is_authenticated and user.language != chosen:
            user.language = chosen
            user.save(update_fields=["language"])
    return response
