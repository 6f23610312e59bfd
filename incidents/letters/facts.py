"""The facts a letter is written from, gathered once when the draft is made.

Everything is turned into plain strings (dates in UK style) and kept on the letter, so a final
letter shows what was true when it was written even if the incident, the policy or the agreement
changes later.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from accounts.models import ParentLink, Pupil, User
from incidents.models import EscalationStep, Incident


def uk_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def uk_datetime(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{uk_date(local.date())} at {local:%H:%M}"


def current_policy(school) -> dict:
    """Title, version and approval date of the school's approved social-media policy, if any."""
    try:
        from policies.models import Category, PolicyVersion, Status
    except ImportError:  # the policies app is optional for letters
        return {}
    versions = PolicyVersion.objects.filter(document__school=school, status=Status.APPROVED).select_related("document")
    version = (
        versions.filter(document__category=Category.SOCIAL_MEDIA).order_by("-approved_at").first()
        or versions.filter(document__title__icontains="social media").order_by("-approved_at").first()
    )
    if version is None:
        return {}
    return {
        "policy_title": version.document.title,
        "policy_version": str(version.number),
        "policy_approved_on": uk_date(timezone.localtime(version.approved_at).date()),
    }


def policy_sentence(policy: dict, school_name: str) -> str:
    if not policy:
        return f"{school_name} expects everyone in its community to raise concerns through the school, not online."
    return (
        f"The school's policy in force is “{policy['policy_title']}”, version {policy['policy_version']}, "
        f"approved on {policy['policy_approved_on']}."
    )


def agreement_sentence(parent: User | None, pupil: Pupil | None) -> str:
    """Whether and when the parent signed the home-school agreement for this child, written to
    them ("you signed ..."), with the version and the date."""
    if parent is None or pupil is None:
        return ""
    try:
        from agreements.models import SignatureMethod
        from agreements.queries import signature_status
    except ImportError:
        return ""
    status = signature_status(parent, pupil)
    if status.signature is not None:
        signature = status.signature
        signed_on = timezone.localtime(signature.signed_at).date()
        if signature.method == SignatureMethod.PAPER and signature.paper_signed_on:
            signed_on = signature.paper_signed_on
        how = "on a paper form" if signature.method == SignatureMethod.PAPER else "online"
        sentence = (
            f"Our records show that you signed the school's home-school agreement “{signature.version.title}” "
            f"(version {signature.version.number}) {how} on {uk_date(signed_on)}."
        )
        if not status.signed_current and status.current_version is not None:
            sentence += f" You have not yet signed the current version ({status.current_version.number})."
        return sentence
    if status.withdrawn is not None:
        withdrawn_on = uk_date(timezone.localtime(status.withdrawn.signed_at).date())
        return f"Our records show that you withdrew your signature of the home-school agreement on {withdrawn_on}."
    if status.current_version is not None:
        return "Our records show that you have not signed the school's home-school agreement."
    return ""


def recipient_for(incident: Incident) -> tuple[User | None, Pupil | None]:
    """The parent to write to and the child concerned, from what triage recorded."""
    parent = incident.poster_parent
    pupil = incident.poster_pupil
    if parent is not None and pupil is None:
        link = (
            ParentLink.objects.filter(parent=parent, pupil__school=incident.school)
            .select_related("pupil")
            .order_by("pk")
            .first()
        )
        pupil = link.pupil if link else None
    if parent is None and pupil is not None:
        link = ParentLink.objects.filter(pupil=pupil).select_related("parent").order_by("pk").first()
        parent = link.parent if link else None
    return parent, pupil


def gather(incident: Incident, step: EscalationStep | None) -> dict:
    school = incident.school
    parent, pupil = recipient_for(incident)
    policy = current_policy(school)
    posted = incident.posted_at or incident.seen_at
    where = incident.platform.name
    if incident.account_name:
        where = f"{where} ({incident.account_name})"
    return {
        "school_name": school.name,
        "school_address": school.address,
        "school_phone": school.phone,
        "school_email": school.email,
        "school_website": school.website,
        "headteacher_name": school.headteacher_name,
        "recipient_id": parent.pk if parent else None,
        "recipient_name": " ".join(part for part in (parent.title, parent.full_name) if part) if parent else "",
        "salutation": parent.salutation if parent else "",
        "recipient_address": parent.postal_address if parent else "",
        "recipient_email": parent.email if parent else "",
        "child_name": pupil.full_name if pupil else "your child",
        "platform": where,
        "post_urls": list(incident.urls or []),
        "posted_on": uk_date(timezone.localtime(posted).date()) if posted else "",
        "posted_at_text": uk_datetime(posted),
        "remove_by": uk_date(step.due_date) if step and step.due_date else "",
        "meeting_at": uk_datetime(step.meeting_at) if step and step.meeting_at else "a date and time we agree together",
        "incident_reference": incident.reference,
        **policy,
        "policy_sentence": policy_sentence(policy, school.name),
        "agreement_sentence": agreement_sentence(parent, pupil),
    }
