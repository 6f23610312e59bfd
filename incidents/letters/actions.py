"""The writes for letters and bundles: each atomic, with history, queuing renders on commit."""

from __future__ import annotations

import contextlib
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Membership, School, User
from files import renders
from incidents import actions as incident_actions
from incidents import outcomes, timeline
from incidents.models import EntryKind, EscalationStep, Incident, Outcome
from notifications.outbox import notify

from . import facts as letter_facts
from .models import (
    LETTER_FOR_STEP,
    DeliveryMethod,
    EvidenceBundle,
    Letter,
    LetterDelivery,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    RenderState,
)
from .wording import DEFAULT_WORDING, check_wording, fill

# A gap the wording leaves for the headteacher, e.g. "[Write the outcome here.]".
UNWRITTEN = re.compile(r"\[Write [^\]]*\]")


class LetterError(Exception):
    """A request the letter's state does not allow; the message is shown to the user."""


# --- Wording ------------------------------------------------------------------------------------
def current_wording(school: School, kind: str) -> LetterTemplate | None:
    return LetterTemplate.objects.filter(school=school, kind=kind).order_by("-version").first()


def wording_text(school: School, kind: str) -> tuple[LetterTemplate | None, str, str]:
    template = current_wording(school, kind)
    if template is not None:
        return template, template.subject, template.body
    subject, body = DEFAULT_WORDING[LetterKind(kind)]
    return None, subject, body


@transaction.atomic
def save_wording(
    *, school: School, kind: str, by: User, subject: str, body: str, change_note: str = ""
) -> LetterTemplate:
    check_wording(body)
    check_wording(subject)
    School.objects.select_for_update().filter(pk=school.pk).first()  # one new version at a time
    last = LetterTemplate.objects.filter(school=school, kind=kind).aggregate(n=Max("version"))["n"] or 0
    return LetterTemplate.objects.create(
        school=school, kind=kind, version=last + 1, subject=subject, body=body, change_note=change_note, created_by=by
    )


# --- Letters ------------------------------------------------------------------------------------
def _timeline(letter: Letter, by: User | None, summary: str) -> None:
    timeline.record(letter.incident_id, by, EntryKind.LETTER, summary, step=letter.step, link=letter.get_absolute_url())


@transaction.atomic
def create_letter(*, incident: Incident, step: EscalationStep | None, kind: str, by: User) -> Letter:
    if step is not None and step.incident_id != incident.pk:
        raise LetterError("That step belongs to another incident.")
    template, subject, body = wording_text(incident.school, kind)
    facts = letter_facts.gather(incident, step)
    # A fact the letter needs but the case does not have yet (no removal date, no meeting time)
    # shows as a gap to write in, which finalising refuses to leave ("by ." never goes out).
    gaps = letter_facts.gaps_for(kind, facts)
    body_facts = {
        **facts,
        **gaps,
        "recipient_name": facts["recipient_name"] or "Parent or carer",
        "salutation": facts.get("salutation") or facts["recipient_name"] or "Parent or carer",
    }
    subject_facts = {**facts, **gaps}
    try:
        filled_subject, filled_body = fill(subject, subject_facts), fill(body, body_facts)
    except ValidationError:
        # A stored wording that cannot be rendered (saved before today's checks) must not stop
        # every letter of its kind: use the standard wording and tell the headteacher.
        template = None
        subject, body = DEFAULT_WORDING[LetterKind(kind)]
        filled_subject, filled_body = fill(subject, subject_facts), fill(body, body_facts)
    letter = Letter.objects.create(
        school=incident.school,
        incident=incident,
        step=step,
        kind=kind,
        template=template,
        recipient_name=facts["recipient_name"],
        recipient_address=facts["recipient_address"],
        recipient_email=facts["recipient_email"],
        subject=filled_subject,
        body=filled_body,
        quoted_post=incident.content,
        facts=facts,
        **_signatory(incident, by),
        created_by=by,
    )
    _timeline(letter, by, f"Letter drafted: {letter.get_kind_display()}")
    # Read by the page that made the draft, to say why the school's own wording was not used.
    letter.used_standard_wording_instead = template is None and current_wording(incident.school, kind) is not None
    return letter


def _signatory(incident: Incident, by: User) -> dict[str, str]:
    """The headteacher signs the school's letters; on a case about the headteacher that the chair
    of governors handles, the chair signs the letters they write."""
    if (
        Membership.objects.chairs().filter(user=by, school=incident.school).exists()
    ):  # the chair drafts only on the restricted cases they handle
        return {"signatory_name": by.full_name, "signatory_title": "Chair of governors"}
    return {"signatory_name": incident.school.headteacher_name, "signatory_title": "Headteacher"}


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update(of=("self",)).select_related("incident", "school", "step").get(pk=letter.pk)


@transaction.atomic
def update_draft(*, letter: Letter, by: User, **fields) -> Letter:
    letter = _locked(letter)
    if letter.is_final:
        raise LetterError("This letter is final and cannot be changed.")
    if all(getattr(letter, name) == value for name, value in fields.items()):
        return letter  # the same edit sent twice (a double click) changes nothing the second time
    for name, value in fields.items():
        setattr(letter, name, value)
    letter.revision += 1
    letter.save()
    return letter


@transaction.atomic
def request_preview(*, letter: Letter) -> Letter:
    """Queue a PDF of the draft as it stands. The page shows progress until it is ready."""
    letter = _locked(letter)
    if letter.is_final:
        raise LetterError("This letter is final: download its PDF instead.")
    if letter.pdf_ready:
        return letter
    letter.render_state = RenderState.QUEUED
    letter.render_error = ""
    letter.save(update_fields=["render_state", "render_error"])
    from .tasks import render_letter

    renders.queue(letter, render_letter, letter.pk, letter.revision, force=True)
    return letter


class MissingFacts(LetterError):
    """The letter lacks something it cannot go out without; `problems` pairs each draft field with
    what to do, so the form can show each message beside its field."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(" ".join(message for _field, message in problems))


def missing_facts(letter: Letter) -> list[tuple[str, str]]:
    """What stops this draft being finalised, as (field, message) pairs; empty when it may go out."""
    problems: list[tuple[str, str]] = []
    if not letter.recipient_name.strip():
        problems.append(("recipient_name", "Add the recipient's name before finalising."))
    for field in ("subject", "body"):
        for gap in dict.fromkeys(UNWRITTEN.findall(getattr(letter, field))):
            problems.append((field, f"Replace “{gap}” in the letter with your own words before finalising."))
    if not letter.recipient_email.strip() and not letter.recipient_address.strip():
        problems.append(
            (
                "recipient_address",
                "Add their postal address: with no email address, this letter will be posted or handed over.",
            )
        )
    return problems


@transaction.atomic
def finalise(*, letter: Letter, by: User, revision: int | None = None) -> Letter:
    """Freeze the letter. Its PDF is made once, by a task, and stored with its SHA-256.

    With `revision` (the draft the headteacher checked in the PDF preview), a draft changed since
    is refused, so what is finalised is what was looked at."""
    letter = _locked(letter)
    if letter.is_final:
        return letter
    if revision is not None and revision != letter.revision:
        raise LetterError("The draft was changed after you checked it. Check the new PDF preview, then finalise.")
    problems = missing_facts(letter)
    if problems:
        raise MissingFacts(problems)
    letter.status = LetterStatus.FINAL
    letter.finalised_by = by
    letter.finalised_at = timezone.now()
    letter.render_state = RenderState.QUEUED
    letter.save()
    _timeline(letter, by, f"Letter finalised: {letter.get_kind_display()} to {letter.recipient_name}")
    from .tasks import render_letter

    renders.queue(letter, render_letter, letter.pk, letter.revision, force=True)
    return letter


def _complete_step(letter: Letter, by: User, how: str) -> None:
    """The step's own letter going out is what the step asked for: a step whose kind ends "sent"
    (a written warning) is completed as sent. The headteacher can still change the outcome."""
    step = letter.step
    if step is None or not step.is_pending or LETTER_FOR_STEP.get(step.kind) != letter.kind:
        return
    if not outcomes.offers(step.kind, Outcome.SENT):
        return
    # Someone may have recorded the step's outcome meanwhile: theirs stands.
    with contextlib.suppress(incident_actions.ActionError):
        incident_actions.record_step_outcome(
            step=step, by=by, outcome=Outcome.SENT, notes=f"The letter was {how} on {timezone.localdate():%d/%m/%Y}."
        )


@transaction.atomic
def make_again(*, letter: Letter) -> bool:
    """Queue again a PDF whose render failed or was lost ("Make it again"); a second click
    queues nothing. True if a render was queued."""
    letter = _locked(letter)
    if letter.pdf_ready or not renders.make_again(letter):
        return False
    Letter.objects.filter(pk=letter.pk).update(render_state=RenderState.QUEUED, render_error="")
    return True


@transaction.atomic
def email_letter(*, letter: Letter, by: User, to: str) -> LetterDelivery:
    letter = _locked(letter)
    if not letter.is_final or not letter.pdf_sha256:
        raise LetterError("Only a final letter whose PDF is ready can be emailed.")
    to = (to or "").strip()
    if not to:
        raise LetterError("Give the email address to send the letter to.")
    sent_before = LetterDelivery.objects.filter(letter=letter, method=DeliveryMethod.EMAIL).count()
    # From the school by name, answered by the school office (School.email), never a no-reply box.
    notification = notify(
        key=f"letter:{letter.pk}:email:{sent_before + 1}",
        to=[to],
        template="letter",
        context={"letter": letter, "school": letter.school},
        school=letter.school,
        attachments=[{"name": letter.filename, "path": letter.pdf.name, "mimetype": "application/pdf"}],
        from_name=letter.school.name,
        reply_to=letter.school.email,
    )
    delivery = LetterDelivery.objects.create(
        letter=letter, method=DeliveryMethod.EMAIL, by=by, email=to, notification=notification
    )
    _timeline(letter, by, f"Letter emailed to {to}: {letter.get_kind_display()}")
    _complete_step(letter, by, f"emailed to {to}")
    return delivery


@transaction.atomic
def record_handover(*, letter: Letter, by: User, method: str, note: str = "") -> LetterDelivery:
    letter = _locked(letter)
    if not letter.is_final:
        raise LetterError("Finalise the letter before recording how it was sent.")
    if method not in (DeliveryMethod.POST, DeliveryMethod.HAND):
        raise LetterError("Choose posted or handed over.")
    delivery = LetterDelivery.objects.create(letter=letter, method=method, by=by, note=note[:300])
    _timeline(letter, by, f"Letter {delivery.get_method_display().lower()}: {letter.get_kind_display()}")
    _complete_step(letter, by, delivery.get_method_display().lower())
    return delivery


# --- Evidence bundle ----------------------------------------------------------------------------
@transaction.atomic
def request_bundle(*, incident: Incident, by: User) -> EvidenceBundle:
    bundle = EvidenceBundle.objects.create(school=incident.school, incident=incident, requested_by=by)
    timeline.record(incident, by, EntryKind.NOTE, "Referral bundle requested (evidence, chronology)")
    from .tasks import build_bundle

    renders.queue(bundle, build_bundle, bundle.pk)
    return bundle


@transaction.atomic
def make_bundle_again(*, bundle: EvidenceBundle) -> bool:
    """Queue again a bundle whose build failed or was lost, once."""
    if bundle.sha256 or not renders.make_again(bundle):
        return False
    EvidenceBundle.objects.filter(pk=bundle.pk).update(state=RenderState.QUEUED, error="")
    return True


def check_locked(letter: Letter) -> None:
    """For tests and admin: raise if a final letter's stored PDF no longer matches its SHA-256."""
    import hashlib

    with letter.pdf.open("rb") as handle:
        if hashlib.sha256(handle.read()).hexdigest() != letter.pdf_sha256:
            raise ValidationError("The stored PDF does not match its fingerprint.")
