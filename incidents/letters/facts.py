"""The facts a letter is written from, gathered once when the draft is made.

Everything is turned into plain strings (dates in UK style) and kept on the letter, so a final
letter shows what was true when it was written even if the incident, the policy or the agreement
changes later.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from accounts.models import ParentLink, Pupil, User, salutation
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


# The facts a kind of letter cannot go out without. Blank when the draft is made, each shows in the
# letter as a gap to write in ("[Write ...]"), and a letter with a gap cannot be finalised.
NEEDED_FACTS: dict[str, tuple[str, ...]] = {
    "removal_request": ("remove_by",),
    "written_warning": ("remove_by",),
    "meeting_invitation": ("meeting_at",),
}
GAPS: dict[str, str] = {
    "remove_by": "[Write the date the post must be removed by]",
    "meeting_at": "[Write the date and time of the meeting]",
}


def gaps_for(kind: str, facts: dict) -> dict[str, str]:
    """The visible gap for each fact `kind` needs that `facts` leaves blank."""
    return {name: GAPS[name] for name in NEEDED_FACTS.get(kind, ()) if not facts.get(name)}


def title_and_surname(parent: User) -> tuple[str, str]:
    """The parent's title and surname as the school's roll has them (an imported contact), else the
    portal account's; ("", "") when no title is known anywhere."""
    from accounts.roll.models import Contact

    contact = Contact.objects.filter(user=parent).exclude(title="").values("title", "last_name").first()
    title = parent.title or (contact["title"] if contact else "")
    if not title:
        return "", ""
    if contact and contact["last_name"]:
        return title, contact["last_name"]
    words = parent.full_name.split()
    return title, " ".join(words[1:]) if len(words) >= 2 else parent.full_name


def salutation_for(parent: User) -> str:
    """ "Mr Taylor" when a title is known; the full name otherwise."""
    title, surname = title_and_surname(parent)
    return f"{title.strip().rstrip('.')} {surname}" if title and surname else salutation("", parent.full_name)


def earlier_letter_sentence(incident: Incident, recipient_name: str) -> str:
    """ "I wrote to you on 3 March 2026 about this post." only when a final letter about this
    incident actually went to this person (emailed, posted or handed over); otherwise nothing."""
    from .models import LetterDelivery, LetterStatus

    earlier = (
        LetterDelivery.objects.filter(
            letter__incident=incident, letter__status=LetterStatus.FINAL, letter__recipient_name=recipient_name
        )
        .order_by("at", "pk")
        .values_list("at", flat=True)
        .first()
    )
    if earlier is None or not recipient_name:
        return ""
    return f"I wrote to you on {uk_date(timezone.localtime(earlier).date())} about this post."


def gather(incident: Incident, step: EscalationStep | None) -> dict:
    school = incident.school
    parent, pupil = recipient_for(incident)
    policy = current_policy(school)
    posted = incident.posted_at or incident.seen_at
    where = incident.platform.name
    if incident.account_name:
        where = f"{where} ({incident.account_name})"
    title = title_and_surname(parent)[0] if parent else ""
    recipient_name = " ".join(part for part in (title, parent.full_name) if part) if parent else ""
    return {
        "school_name": school.name,
        "school_address": school.address,
        "school_phone": school.phone,
        "school_email": school.email,
        "school_website": school.website,
        "headteacher_name": school.headteacher_name,
        "recipient_id": parent.pk if parent else None,
        "recipient_name": recipient_name,
        "salutation": salutation_for(parent) if parent else "",
        "recipient_address": parent.postal_address if parent else "",
        "recipient_email": parent.email if parent else "",
        "child_name": pupil.full_name if pupil else "your child",
        "platform": where,
        "post_urls": list(incident.urls or []),
        "posted_on": uk_date(timezone.localtime(posted).date()) if posted else "",
        "posted_at_text": uk_datetime(posted),
        "remove_by": uk_date(step.due_date) if step and step.due_date else "",
        "meeting_at": uk_datetime(step.meeting_at) if step and step.meeting_at else "",
        "incident_reference": incident.reference,
        **policy,
        "policy_sentence": policy_sentence(policy, school.name),
        "agreement_sentence": agreement_sentence(parent, pupil),
        "earlier_letter_sentence": earlier_letter_sentence(incident, recipient_name),
    }
