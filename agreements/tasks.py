"""Background work: PDF copies, requests to sign, and the daily reminder sweep. Each task is
idempotent: the PDF is rendered once per signature, and every email has a unique key."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from celery import shared_task
from django.db import transaction
from django.urls import reverse

from files import renders
from notifications.outbox import notify
from schoolsocial.lib.sweeps import decide_once
from schoolsocial.lib.tasks import RETRY_ON_DATABASE_ERRORS, enqueue_on_commit

from . import documents, reminders
from .models import AgreementReminder, AgreementVersion, ReminderStage, Signature, VersionStatus, reminder_key
from .queries import family_links, not_signed_q, with_status


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_signed_copy(signature_id: int) -> str:
    """Render the signed copy as PDF and email it to the parent (the relay queues it again if lost)."""
    with renders.running(Signature, signature_id):
        return _send_signed_copy(signature_id)


def _send_signed_copy(signature_id: int) -> str:
    signature = Signature.objects.select_related("version", "parent", "school", "pupil").get(pk=signature_id)
    copy = documents.ensure_signed_copy(signature)
    with transaction.atomic():
        notify(
            key=f"agreement-copy:{signature.pk}",
            to=[signature.parent.email],
            template="agreement-signed",
            context={
                "signature": signature,
                "version": signature.version,
                "school": signature.school,
                "page_url": reverse("agreements:parent_home"),
            },
            school=signature.school,
            attachments=[
                {"name": documents.download_name(signature), "path": copy.file.name, "mimetype": "application/pdf"}
            ],
        )
    return "sent"


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def send_withdrawal_confirmation(record_id: int) -> str:
    record = Signature.objects.select_related("version", "parent", "school").get(pk=record_id)
    with transaction.atomic():
        notify(
            key=f"agreement-withdrawn:{record.pk}",
            to=[record.parent.email],
            template="agreement-withdrawn",
            context={"record": record, "school": record.school, "page_url": reverse("agreements:parent_home")},
            school=record.school,
        )
    return "sent"


def dispatch(version: AgreementVersion, due: dict[str, list[int]]) -> int:
    """Queue the emails in chunks for the workers; each records its decisions with their emails."""
    queued = 0
    for stage, parent_ids in due.items():
        for chunk in reminders.chunks(parent_ids):
            enqueue_on_commit(send_agreement_emails, version.pk, stage, chunk)
            queued += len(chunk)
    return queued


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def ask_parents_to_sign(version_id: int) -> int:
    """After publishing: ask every parent who has not signed this version."""
    version = AgreementVersion.objects.select_related("school", "signing_round").filter(pk=version_id).first()
    if version is None or not version.is_open_for_signing:
        return 0
    return dispatch(version, reminders.due_for_version(version))


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def sweep_unsigned_agreements() -> int:
    """Daily (Celery beat): ask newly linked parents, and remind after 7 and 21 days."""
    return sum(dispatch(version, reminders.due_for_version(version)) for version in reminders.open_versions())


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def send_agreement_emails(version_id: int, stage: str, parent_ids: list[int]) -> int:
    """Email each parent in `parent_ids` about the children they still have to sign for."""
    version = AgreementVersion.objects.select_related("school", "signing_round").filter(pk=version_id).first()
    if version is None or version.status != VersionStatus.PUBLISHED:
        return 0
    links = (
        with_status(family_links(version.school).filter(parent_id__in=parent_ids), version, full=False)
        .filter(not_signed_q())
        .select_related("parent", "pupil")
        .order_by("parent_id", "pupil__first_name")
    )
    children = defaultdict(list)
    parents = {}
    for link in links:
        parents[link.parent_id] = link.parent
        children[link.parent_id].append(link.pupil)
    sent = 0
    # One transaction for the chunk (one commit, not one per parent); inside it each parent's
    # decision and email are one savepoint, so a second delivery of this task, or a concurrent
    # sweep, sends nothing twice, and a failure part-way keeps no decision without its email.
    with transaction.atomic():
        for parent_id, parent in parents.items():
            # Decided once per signing round: a correction does not ask the same families again.
            decision = AgreementReminder(version_id=version.round_id, parent_id=parent_id, stage=stage)
            if decide_once(
                [decision],
                partial(_ask_rows, version=version, stage=stage, parent=parent, children=children[parent.pk]),
            ):
                sent += 1
    return sent


def _ask_rows(rows: list[AgreementReminder], *, version: AgreementVersion, stage: str, parent, children: list):
    return _ask(version, stage, parent, children)


def _ask(version: AgreementVersion, stage: str, parent, children: list):
    return notify(
        key=reminder_key(version.round_id, parent.pk, stage),
        to=[parent.email],
        template="agreement-request",
        context={
            "parent": parent,
            "children": children,
            "version": version,
            "school": version.school,
            "stage": stage,
            "is_reminder": stage != ReminderStage.ASK,
            "page_url": reverse("agreements:parent_home"),
        },
        school=version.school,
    )
