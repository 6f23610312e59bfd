"""The writes of the agreements app. Each is atomic and queues its side effects on commit.

Views call these; a refusal is raised as `SigningRefused` with a message written for the person
in front of the screen, and nothing has been written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from accounts.models import ParentLink, Pupil, School, User
from files import renders
from schoolsocial.lib.concurrency import check_version, unchanged
from schoolsocial.lib.tasks import enqueue_on_commit

from .models import (
    AGREEMENT_WORKFLOW,
    AgreementTemplate,
    AgreementVersion,
    Signature,
    SignatureKind,
    SignatureMethod,
    VersionStatus,
)
from .uploads import CheckedUpload
from .years import current_academic_year


class SigningRefused(Exception):
    """A signature (or withdrawal) that must not be stored. `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadySigned(SigningRefused):
    """The signature asked for is already stored (a double tap, or a second tab)."""


class VersionNotEditable(Exception):
    pass


# --- versions ---------------------------------------------------------------------------------
CONTENT_KEYS = ("title", "academic_year", "introduction", "channels", "will_commitments", "will_not_commitments")


def start_draft(*, school: School, by: User, **content) -> AgreementVersion:
    """A new draft, numbered after the school's last version."""
    with transaction.atomic():
        template, _ = AgreementTemplate.objects.get_or_create(school=school)
        # Locking the template row serialises two headteachers starting drafts at once.
        template = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
        last = template.versions.aggregate(last=Max("number"))["last"] or 0
        return AgreementVersion.objects.create(
            template=template,
            school=school,
            number=last + 1,
            created_by=by,
            **{key: content[key] for key in CONTENT_KEYS if key in content},
        )


def draft_content_from(version: AgreementVersion | None, school: School | None = None) -> dict:
    """Starting words for a new draft: the latest version's, for the current school year."""
    if version is None:
        return {"academic_year": current_academic_year(school)}
    content = {key: getattr(version, key) for key in CONTENT_KEYS}
    content["academic_year"] = current_academic_year(school or version.school)
    return content


@transaction.atomic
def update_draft(version: AgreementVersion, *, seen_version: int | None = None, **content) -> AgreementVersion:
    """Save the draft's wording. With `seen_version` (the version the form was opened at), an edit
    saved meanwhile by someone else wins and this one raises StaleEdit, changing nothing; the same
    edit sent twice changes nothing the second time."""
    # Locked and read again: a publish that committed while the form was open wins, cleanly.
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise VersionNotEditable("This version is published, so its wording can no longer change.")
    if unchanged(version, {key: content[key] for key in CONTENT_KEYS if key in content}):
        return version
    check_version(version, seen_version)
    for key in CONTENT_KEYS:
        if key in content:
            setattr(version, key, content[key])
    version.save()
    return version


class PublishRefused(Exception):
    """A publishing choice that does not fit (in words). `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def publish(
    version: AgreementVersion,
    *,
    by: User,
    ask_parents: bool = True,
    seen_version: int | None = None,
    needs_resign: bool = True,
    change_note: str = "",
) -> AgreementVersion:
    """Approve and publish a draft. The version it replaces is superseded (its signatures stay as
    history). A re-sign version (`needs_resign`) asks every parent to sign it; a correction keeps
    the signatures given in the replaced version's round valid, and asks only families who had not
    signed yet (unless `ask_parents` is False: demo data; the daily sweep then asks them).
    `change_note` says what changed and why (needed for a correction)."""
    from . import tasks

    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        # A second click finds it published and is refused in words (nothing is done twice).
        AGREEMENT_WORKFLOW.move(version, VersionStatus.PUBLISHED)  # refuses anything but a draft
        check_version(version, seen_version)  # reworded since the page was opened
        previous = list(
            AgreementVersion.objects.select_for_update()
            .filter(school=version.school, status=VersionStatus.PUBLISHED)
            .order_by("-number")
        )
        replaced = previous[0] if previous else None
        change_note = change_note.strip()
        if not needs_resign:
            if replaced is None:
                raise PublishRefused(
                    "This is the school's first published agreement, so every family needs to sign it.",
                    field="needs_resign",
                )
            if replaced.academic_year != version.academic_year:
                raise PublishRefused(
                    f"Version {version.number} is for {version.academic_year} and the current one for "
                    f"{replaced.academic_year}: a new school year asks every family to sign again.",
                    field="needs_resign",
                )
            # The publish form asks for the note after the first version; a correction cannot go without.
            if not change_note:
                raise PublishRefused(
                    "Say what changed since the last version and why, so parents know what they are reading.",
                    field="change_note",
                )
        now = timezone.now()
        for earlier in previous:
            AGREEMENT_WORKFLOW.move(earlier, VersionStatus.SUPERSEDED)
            earlier.superseded_at = now
            earlier.save()
        version.approved_by = by
        version.published_at = now
        version.needs_resign = needs_resign
        version.change_note = change_note
        version.signing_round_id = version.pk if needs_resign or replaced is None else replaced.round_id
        version.save()
        if ask_parents:
            # For a correction this asks only families not yet asked in the round (see reminders).
            enqueue_on_commit(tasks.ask_parents_to_sign, version.pk)
    return version


# --- signing ----------------------------------------------------------------------------------
def normalise_name(name: str) -> str:
    """Compare names the way a person would: case, spacing and punctuation do not matter."""
    return " ".join(re.sub(r"[^\w\s'-]", " ", name or "").casefold().replace("'", "").split())


def clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    return clean_ipv6_address(ip) if ":" in ip else ip


FAMILY_CONSENT_TEXT = {
    "read": "I have read the whole agreement above.",
    "acknowledge": "I understand this records that I know the school's expectations; it is not a legal contract.",
}


def online_consents(pupil: Pupil) -> dict[str, str]:
    """The boxes a parent ticks online. The exact wording ticked is stored on the signature."""
    class_part = f" in {pupil.school_class.name}" if pupil.school_class else ""
    return {
        "read": FAMILY_CONSENT_TEXT["read"],
        "child": f"I am signing for {pupil.full_name}{class_part}, and I am their parent or carer.",
        "acknowledge": FAMILY_CONSENT_TEXT["acknowledge"],
    }


PAPER_CONSENTS = {
    "paper_form": "The office checked a paper copy of this agreement signed by the parent or carer.",
}


@dataclass(frozen=True)
class RequestDetails:
    ip_address: str | None
    user_agent: str


def latest_record(version: AgreementVersion, parent: User, pupil: Pupil) -> Signature | None:
    return Signature.objects.filter(version=version, parent=parent, pupil=pupil).order_by("-sequence").first()


def standing_record(version: AgreementVersion, parent: User, pupil: Pupil) -> Signature | None:
    """The latest record that counts for `version`: of any version in its round (a correction
    keeps the signatures of the version it corrects). Records of one family are made one at a
    time (the family link is locked), so the highest id is the latest."""
    return (
        Signature.objects.filter(version__signing_round_id=version.round_id, parent=parent, pupil=pupil)
        .order_by("-pk")
        .first()
    )


def _linked(parent: User, pupil: Pupil) -> bool:
    return ParentLink.objects.filter(parent=parent, pupil=pupil).exists()


def check_can_sign(
    *, version: AgreementVersion | None, version_id: int | None, parent: User, pupil: Pupil
) -> AgreementVersion:
    """The version this parent may sign now for this child; SigningRefused (in words) otherwise."""
    if not _linked(parent, pupil):
        raise SigningRefused("You can only sign for a child linked to your account.", field="pupil")
    if version is None:
        raise SigningRefused("The school has not published its agreement yet, so there is nothing to sign.")
    if version_id is not None and version_id != version.pk:
        raise SigningRefused(
            "The school published a new version of the agreement while this page was open. "
            "Please read the new version below and sign that one."
        )
    closed = closed_reason(version)
    if closed:
        raise SigningRefused(closed)
    if not pupil.is_on_roll:
        raise SigningRefused(f"{pupil.full_name} is no longer on the school roll, so no signature is needed.")
    latest = standing_record(version, parent, pupil)
    if latest is not None and latest.kind == SignatureKind.SIGNED:
        when = timezone.localtime(latest.signed_at).strftime("%d/%m/%Y")
        raise AlreadySigned(
            f"You have already signed the {version.academic_year} agreement for {pupil.full_name} (on {when}). "
            "There is nothing more to do."
        )
    return version


def closed_reason(version: AgreementVersion) -> str | None:
    """Why this published version can no longer be signed, in words; None while it can."""
    if version.is_open_for_signing:
        return None
    return (
        f"This agreement was for the {version.academic_year} school year, which has ended. "
        "The school will publish the agreement for this year soon."
    )


def _store(fields: dict) -> Signature:
    try:
        with transaction.atomic():
            return Signature.objects.create(**fields)
    except IntegrityError as error:
        # Two submissions at once (a double tap): the other one was stored.
        raise AlreadySigned("This has already been recorded. Please refresh the page.") from error


def sign_online(
    *,
    parent: User,
    pupil: Pupil,
    version_id: int | None,
    typed_name: str,
    ticked: set[str],
    request_details: RequestDetails,
    send_copy: bool = True,
) -> Signature:
    """Store a parent's online signature for one child (`sign_for_children` with one child)."""
    if "child" not in ticked:
        raise SigningRefused("Please tick each box to confirm.", field="child")
    signed = sign_for_children(
        parent=parent,
        pupils=[pupil],
        version_id=version_id,
        typed_name=typed_name,
        ticked=ticked - {"child"},
        request_details=request_details,
        send_copy=send_copy,
    )
    return signed[0]


FAMILY_CONSENTS = tuple(FAMILY_CONSENT_TEXT)


def sign_for_children(
    *,
    parent: User,
    pupils: list[Pupil],
    version_id: int | None,
    typed_name: str,
    ticked: set[str],
    request_details: RequestDetails,
    send_copy: bool = True,
) -> list[Signature]:
    """One read, tick and type for several children: a signature per child, each with its own
    consents (naming that child) and fingerprint, all stored or none. Choosing a child is the
    parent's confirmation that they sign for them. With `send_copy` (always, except demo data)
    each PDF copy is rendered and emailed after commit."""
    from . import tasks

    if not pupils:
        raise SigningRefused("Tick at least one child to sign for.", field="children")
    pupils = sorted({pupil.pk: pupil for pupil in pupils}.values(), key=lambda pupil: pupil.pk)
    with transaction.atomic():
        # Lock the family links so two tabs cannot both pass the checks (PostgreSQL).
        list(
            ParentLink.objects.select_for_update()
            .filter(parent=parent, pupil__in=[pupil.pk for pupil in pupils])
            .order_by("pk")
        )
        if len({pupil.school_id for pupil in pupils}) != 1:
            raise SigningRefused("Sign for the children of one school at a time.", field="children")
        version = AgreementVersion.objects.current_for(pupils[0].school_id)
        for pupil in pupils:
            version = check_can_sign(version=version, version_id=version_id, parent=parent, pupil=pupil)
        missing = [key for key in FAMILY_CONSENTS if key not in ticked]
        if missing:
            raise SigningRefused("Please tick each box to confirm.", field=missing[0])
        if not typed_name.strip():
            raise SigningRefused("Type your full name to sign.", field="typed_name")
        if normalise_name(typed_name) != normalise_name(parent.full_name):
            raise SigningRefused(
                f"The name you typed does not match the name on your account ({parent.full_name}). "
                "Type it as shown, or ask the school office to correct your name.",
                field="typed_name",
            )
        assert version is not None
        now = timezone.now()
        text = version.signed_text()
        signatures = []
        for pupil in pupils:
            latest = latest_record(version, parent, pupil)
            signature = _store(
                {
                    "version": version,
                    "school_id": pupil.school_id,
                    "parent": parent,
                    "pupil": pupil,
                    "sequence": latest.sequence + 1 if latest else 0,
                    "kind": SignatureKind.SIGNED,
                    "method": SignatureMethod.ONLINE,
                    "academic_year": version.academic_year,
                    "pupil_name": pupil.full_name,
                    "class_name": pupil.school_class.name if pupil.school_class else "",
                    "typed_name": " ".join(typed_name.split())[:200],
                    "consents": online_consents(pupil),
                    "text_signed": text,
                    "signed_at": now,
                    "ip_address": clean_ip(request_details.ip_address),
                    "user_agent": (request_details.user_agent or "")[:500],
                }
            )
            if send_copy:
                renders.queue(signature, tasks.send_signed_copy, signature.pk)
            signatures.append(signature)
    return signatures


def withdraw(*, signature: Signature, parent: User, reason: str, request_details: RequestDetails) -> Signature:
    """Withdraw a standing signature. The original stays; a new record says it was withdrawn."""
    from . import tasks

    with transaction.atomic():
        ParentLink.objects.select_for_update().filter(parent=parent, pupil_id=signature.pupil_id).first()
        if signature.parent_id != parent.pk:
            raise SigningRefused("You can only withdraw your own signature.")
        latest = latest_record(signature.version, parent, signature.pupil)
        if latest is None or latest.pk != signature.pk or latest.kind != SignatureKind.SIGNED:
            raise SigningRefused("This signature has already been withdrawn.")
        record = _store(
            {
                "version": signature.version,
                "school_id": signature.school_id,
                "parent": parent,
                "pupil": signature.pupil,
                "sequence": signature.sequence + 1,
                "kind": SignatureKind.WITHDRAWN,
                "method": SignatureMethod.ONLINE,
                "academic_year": signature.academic_year,
                "pupil_name": signature.pupil.full_name,
                "class_name": signature.pupil.school_class.name if signature.pupil.school_class else "",
                "typed_name": parent.full_name,
                "consents": {"reason": reason.strip()[:1000]},
                "text_signed": signature.text_signed,
                "signed_at": timezone.now(),
                "ip_address": clean_ip(request_details.ip_address),
                "user_agent": (request_details.user_agent or "")[:500],
                "withdraws": signature,
            }
        )
        enqueue_on_commit(tasks.send_withdrawal_confirmation, record.pk)
    return record


def record_paper_signature(
    *,
    link: ParentLink,
    recorded_by: User,
    signer_name: str,
    signed_on: date,
    scan: CheckedUpload,
    request_details: RequestDetails,
) -> Signature:
    """The office records a signed paper form for a family who does not use the portal."""
    from . import tasks

    parent, pupil = link.parent, link.pupil
    if not signer_name.strip():
        raise SigningRefused("Type the name written on the form.", field="signer_name")
    if signed_on > timezone.localdate():
        raise SigningRefused("The date on the form cannot be in the future.", field="signed_on")
    with transaction.atomic():
        ParentLink.objects.select_for_update().filter(pk=link.pk).first()
        version = AgreementVersion.objects.current_for(pupil.school_id)
        version = check_can_sign(version=version, version_id=None, parent=parent, pupil=pupil)
        stored_name = scan.save(prefix=f"agreements/paper/{pupil.school_id}")
        # If the row cannot be stored, the file must not linger in private storage.
        latest = latest_record(version, parent, pupil)
        try:
            signature = _store(
                {
                    "version": version,
                    "school_id": pupil.school_id,
                    "parent": parent,
                    "pupil": pupil,
                    "sequence": latest.sequence + 1 if latest else 0,
                    "kind": SignatureKind.SIGNED,
                    "method": SignatureMethod.PAPER,
                    "academic_year": version.academic_year,
                    "pupil_name": pupil.full_name,
                    "class_name": pupil.school_class.name if pupil.school_class else "",
                    "typed_name": " ".join(signer_name.split())[:200],
                    "consents": PAPER_CONSENTS,
                    "text_signed": version.signed_text(),
                    "signed_at": timezone.now(),
                    "ip_address": clean_ip(request_details.ip_address),
                    "user_agent": (request_details.user_agent or "")[:500],
                    "recorded_by": recorded_by,
                    "paper_signed_on": signed_on,
                    "scan": stored_name,
                    "scan_content_type": scan.content_type,
                    "scan_sha256": scan.sha256,
                }
            )
        except SigningRefused:
            scan.discard(stored_name)
            raise
        renders.queue(signature, tasks.send_signed_copy, signature.pk)
    return signature
