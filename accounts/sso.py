"""Signing in with the school's Microsoft or Google account (OpenID Connect via django-allauth).

The rules, in one place:
- only a school that has set it up (SchoolSignIn), and only addresses of that school's domain;
- the provider must say the address is verified (and, for Microsoft, the tenant must match);
- it finds the EXISTING account by that address; it never creates an account or a membership;
- the person needs an active staff, DSL, headteacher, office or governor membership at that
  school (parents keep email and password);
- the provider's MFA counts as the portal's second factor only where the school says so AND
  the ID token's `amr` claim says MFA was used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect

from .backends import PASSWORD_BACKEND
from .models import Membership, Role, SchoolSignIn, User

logger = logging.getLogger(__name__)

# Session key: set when the provider's MFA stands in for the portal's second factor.
PROVIDER_MFA_SESSION_KEY = "sso_provider_mfa_user"
# Session key: the address and provider the person started with (the sign-in page's form).
SSO_START_SESSION_KEY = "sso_start"

# The `amr` values (RFC 8176) that mean more than one factor was used.
MFA_AMR_VALUES = frozenset({"mfa", "otp", "hwk", "swk", "fido", "sc", "face", "fpt"})
SSO_ROLES = frozenset({Role.HEADTEACHER, Role.DSL, Role.STAFF, Role.GOVERNOR, Role.OFFICE})

# allauth's provider id for each kind of school sign-in.
PROVIDER_IDS = {
    SchoolSignIn.Provider.MICROSOFT: "microsoft",
    SchoolSignIn.Provider.GOOGLE: "google",
    SchoolSignIn.Provider.OPENID: "school-oidc",
}


class SignInRefused(Exception):
    """The sign-in is refused; the message is shown on the sign-in page."""


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def school_sign_in_for(email: str) -> SchoolSignIn | None:
    domain = email_domain(email)
    if not domain:
        return None
    return SchoolSignIn.objects.filter(email_domain=domain, is_enabled=True).select_related("school").first()


def configured_providers() -> list[str]:
    """The provider ids that have credentials (SOCIALACCOUNT_PROVIDERS in settings)."""
    return [pid for pid, conf in settings.SOCIALACCOUNT_PROVIDERS.items() if conf.get("APPS")]


def provider_origins() -> list[str]:
    """Origins the sign-in form may be redirected to (the CSP's form-action)."""
    origins = []
    if "microsoft" in configured_providers():
        origins.append("https://login.microsoftonline.com")
    if "google" in configured_providers():
        origins.append("https://accounts.google.com")
    for app in settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", []):
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


@dataclass(frozen=True)
class Claims:
    email: str
    email_verified: bool
    amr: tuple[str, ...]
    tenant_id: str
    hosted_domain: str


def claims_of(sociallogin) -> Claims:
    data = sociallogin.account.extra_data or {}
    # openid_connect keeps {"userinfo": ..., "id_token": ...}; microsoft/google keep the claims.
    id_token: dict = data["id_token"] if isinstance(data.get("id_token"), dict) else data
    userinfo: dict = data["userinfo"] if isinstance(data.get("userinfo"), dict) else {}
    merged = {**userinfo, **id_token}
    email = str(merged.get("email") or merged.get("preferred_username") or "").strip().lower()
    verified = merged.get("email_verified")
    if sociallogin.account.provider == "microsoft" and verified is None:
        # Entra ID leaves out email_verified; the tenant check below stands in for it.
        verified = bool(merged.get("tid"))
    amr = merged.get("amr") or ()
    if isinstance(amr, str):
        amr = (amr,)
    return Claims(
        email=email,
        email_verified=verified is True or str(verified).lower() == "true",
        amr=tuple(str(value) for value in amr),
        tenant_id=str(merged.get("tid") or ""),
        hosted_domain=str(merged.get("hd") or "").lower(),
    )


def check_sign_in(claims: Claims, provider_id: str) -> tuple[User, SchoolSignIn]:
    """The existing person these claims belong to, or SignInRefused with the reason."""
    config = school_sign_in_for(claims.email)
    if config is None or PROVIDER_IDS[SchoolSignIn.Provider(config.provider)] != provider_id:
        raise SignInRefused(
            f"{claims.email or 'That account'} is not an address of a school that signs in this way. "
            "Sign in with your email address and password instead."
        )
    if not claims.email_verified:
        raise SignInRefused("Your account provider has not verified that email address, so it cannot be used here.")
    if config.provider == SchoolSignIn.Provider.MICROSOFT and config.tenant_id and claims.tenant_id != config.tenant_id:
        raise SignInRefused("That Microsoft account is not from your school's directory.")
    if config.provider == SchoolSignIn.Provider.GOOGLE and claims.hosted_domain != config.email_domain:
        raise SignInRefused("That Google account is not from your school's Google Workspace.")
    user = User.objects.filter(email__iexact=claims.email, is_active=True).first()
    if user is None:
        raise SignInRefused(
            "There is no portal account for that address. Ask the school office to invite you; "
            "signing in with Microsoft or Google does not create one."
        )
    memberships = Membership.objects.filter(user=user, school=config.school, is_active=True)
    roles = {Role(m.role) for m in memberships}
    if not roles & SSO_ROLES:
        if Role.PARENT in roles:
            raise SignInRefused("Parents and carers sign in with their email address and password.")
        raise SignInRefused(f"You do not have an active role at {config.school.name}. Ask the school office.")
    return user, config


def provider_mfa_counts(claims: Claims, config: SchoolSignIn) -> bool:
    return config.provider_mfa_counts and bool(MFA_AMR_VALUES.intersection(claims.amr))


def refuse(request, message: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(redirect(settings.LOGIN_URL))


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """allauth never creates accounts here: people are invited (accounts/invitations.py)."""

    def is_open_for_signup(self, request) -> bool:
        return False


class SchoolSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Completes the provider's sign-in by the portal's rules, never allauth's signup."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        claims = claims_of(sociallogin)
        request.session.pop(SSO_START_SESSION_KEY, None)
        try:
            user, config = check_sign_in(claims, sociallogin.account.provider)
        except SignInRefused as refused:
            logger.info("School sign-in refused (%s): %s", sociallogin.account.provider, refused)
            raise refuse(request, str(refused)) from None
        next_url = request.session.pop("sso_next", None) or settings.LOGIN_REDIRECT_URL
        auth_login(request, user, backend=PASSWORD_BACKEND)
        if provider_mfa_counts(claims, config):
            request.session[PROVIDER_MFA_SESSION_KEY] = user.pk
        raise ImmediateHttpResponse(redirect(next_url))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None) -> None:
        logger.info("School sign-in failed at the provider: %s %s", error, exception)
        raise refuse(request, "Signing in with your school account did not work. Try again, or use your password.")


def mark_provider_mfa(request) -> None:
    """Called by the two-factor middleware: the provider's MFA stands in for the portal's code."""
    user = request.user
    if user.is_authenticated and request.session.get(PROVIDER_MFA_SESSION_KEY) == user.pk:
        user.is_verified = lambda: True
