"""Starting a sign-in with the school's Microsoft or Google account (rules in accounts/sso.py)."""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest

from .. import sso
from ..forms import SchoolSignInForm
from ..models import SchoolSignIn
from ..permissions import require
from .auth import _next_url


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """The sign-in form's "Sign in with Microsoft/Google" buttons: the school is found by the
    address's domain, then the person is sent to the school's provider."""
    email = (request.POST.get("username") or "").strip().lower()
    provider_id = request.POST.get("provider", "")
    if "@" not in email:
        messages.error(request, "Enter your school email address first, then choose how to sign in.")
        return redirect(settings.LOGIN_URL)
    config = sso.school_sign_in_for(email)
    if config is None:
        messages.error(
            request,
            "Your school has not set up signing in with Microsoft or Google. "
            "Sign in with your email address and password.",
        )
        return redirect(settings.LOGIN_URL)
    expected = sso.PROVIDER_IDS[SchoolSignIn.Provider(config.provider)]
    if provider_id != expected and not (provider_id == "oidc" and expected == "school-oidc"):
        messages.error(
            request, f"{config.school.name} signs in with {config.get_provider_display()}. Choose that button."
        )
        return redirect(settings.LOGIN_URL)
    if ("openid_connect" if expected == "school-oidc" else expected) not in sso.configured_providers():
        messages.error(request, "Signing in this way is not available yet. Use your password.")
        return redirect(settings.LOGIN_URL)
    request.session[sso.SSO_START_SESSION_KEY] = email
    request.session["sso_next"] = _next_url(request) if request.POST.get("next") else None
    provider = get_adapter(request).get_provider(request, expected)
    # login_hint: the provider shows the account the person typed (Microsoft and Google honour it).
    auth_params = {**provider.get_auth_params(), "login_hint": email}
    return provider.redirect(request, "login", auth_params=auth_params)


@login_required
def school_sign_in_settings(request: AuthenticatedRequest) -> HttpResponse:
    """The headteacher sets the school's domain, provider, tenant and the MFA rule."""
    school = require(request, "people.school_sign_in")
    instance = SchoolSignIn.objects.filter(school=school).first() or SchoolSignIn(school=school)
    form = SchoolSignInForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Sign-in with the school's account is saved.")
        return redirect("accounts:school_sign_in")
    return render(request, "accounts/school_sign_in.html", {"form": form, "school": school})
