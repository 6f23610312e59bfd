import functools

import django_otp.middleware
from django.apps import apps
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django_otp.models import Device

from schoolsocial.lib.prepared import PreparedQuery

from .models import Role

MEMBERSHIP_SESSION_KEY = "current_membership_id"


class TwoFactorRequiredMiddleware:
    """Headteachers, DSLs and office staff must pass a second factor before anything else.

    Until they have one they are sent to enrol; until they have used it this session, to verify.
    """

    ALLOWED_URL_NAMES = (
        "accounts:logout",
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "accounts:passkey_enrolled",
        "accounts:set_language",
    )
    # The passkey ceremonies themselves (accounts/passkey_urls.py): a passkey is a second factor.
    ALLOWED_PREFIXES = ("/passkeys/api/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .sso import mark_provider_mfa

        mark_provider_mfa(request)
        user = request.user
        if user.is_authenticated and user.requires_two_factor and not user.is_verified():
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            passes = request.path.startswith((settings.STATIC_URL, *self.ALLOWED_PREFIXES))
            if request.path not in allowed and not passes:
                from .two_factor import has_confirmed_device

                target = "accounts:two_factor_verify" if has_confirmed_device(user) else "accounts:two_factor_setup"
                return redirect(target)
        return self.get_response(request)


class CurrentMembershipMiddleware:
    """Sets `request.membership`: the school and role the person is acting as right now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            memberships = request.user.active_memberships
            if memberships:
                chosen_id = request.session.get(MEMBERSHIP_SESSION_KEY)
                chosen = next((m for m in memberships if m.pk == chosen_id), None)
                request.membership = chosen or min(memberships, key=lambda m: (Role(m.role).rank, m.school.name))
        return self.get_response(request)


class AccountLanguageMiddleware:
    """A signed-in person's stored language wins over the browser's when this device has no
    language cookie yet (a new phone, a cleared browser): they chose it once, in the header's menu."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and translation.check_for_language(user.language)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django_otp's middleware (which device verified this session?), the device read by a prepared
    query: it is asked on every request. The checks are django_otp's own: the device must still
    exist, be confirmed and belong to the signed-in person, or the session is no longer verified."""

    def _device_from_persistent_id(self, persistent_id: str):
        try:
            model_label, device_id = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            device_class = apps.get_model(model_label)
            pk = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(device_class, Device):
            return None
        found = _device_by_id(device_class)(pk)  # type: ignore[arg-type]  # a model class is hashable
        return found[0] if found else None


@functools.cache  # one for each kind of device (authenticator app, passkey)
def _device_by_id(device_class: type[Device]) -> PreparedQuery:
    return PreparedQuery(lambda pk: device_class.objects.filter(id=pk))
