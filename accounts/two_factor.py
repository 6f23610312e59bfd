"""TOTP enrolment and recovery codes (django-otp)."""

from __future__ import annotations

import secrets

import segno
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"


def has_confirmed_device(user) -> bool:
    """An authenticator app or a passkey: either is a second factor."""
    from django_otp_webauthn.models import WebAuthnCredential

    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first visit and reused after."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG: no script, no style attribute, CSP-safe."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


def issue_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with a fresh set and return them to show once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    device.throttle_reset()
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def set_recovery_codes(user, codes: list[str]) -> None:
    """Used by the demo data so its printed codes stay valid across runs."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    device.throttle_reset()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def verify_code(user, code: str):
    """Return the device that accepts `code` (an app code or an unused recovery code), or None."""
    code = code.strip().replace(" ", "")
    if not code:
        return None
    # An app code is all digits; a recovery code never is. Trying each only where it can match
    # keeps a recovery code from counting as a wrong app code (which would pause the app).
    if code.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        # Static tokens are consumed on use: each recovery code works once.
        if device.verify_token(code.lower()):
            return device
    return None


def is_paused_after_wrong_codes(user) -> bool:
    """True while wrong codes have paused the authenticator.

    django-otp makes the person wait 1, 2, 4, 8... seconds after each wrong code in a row; during
    the wait even the right code is refused, so say "wait", not "wrong code".
    """
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return True
    return False
