"""The parent's side of a complaint as a conversation: a message (with files) at any open stage,
and a request to move on to the next stage, with the reason. The school is told of each, by a
content-free email; each is an entry both sides see. Moving the stage stays the headteacher's act."""

from __future__ import annotations

import uuid

from django.db import transaction

from accounts.models import User
from accounts.permissions import roles_with
from files import staging
from notifications.outbox import notify

from .actions import MAX_FILES
from .common import ActionError, absolute_url, add_entry, attach_staged, locked, school_emails
from .models import Complaint, ComplaintEntry, EntryKind, Stage

# The stage a parent may ask for next, from each open stage.
NEXT_STAGE = {Stage.INFORMAL: Stage.FORMAL, Stage.FORMAL: Stage.PANEL}


def _school_side(complaint: Complaint) -> list[str]:
    """Who hears from the parent: the headteacher, and the member of staff handling it informally."""
    to = school_emails(complaint.school, roles_with("complaints.manage"))
    if complaint.stage == Stage.INFORMAL and complaint.informal_handler is not None:
        to.append(complaint.informal_handler.email)
    return sorted(set(to))


@transaction.atomic
def parent_message(
    *, complaint: Complaint, parent: User, text: str, form_token: uuid.UUID | None = None
) -> ComplaintEntry:
    """The parent adds information or answers the school; the files they staged on the form come too."""
    complaint = locked(complaint)
    if complaint.parent_id != parent.pk:
        raise ActionError("Only the parent who raised the complaint can write in it.")
    if not complaint.is_open:
        raise ActionError("This complaint is closed, so it can no longer take messages. You can raise a new one.")
    staged = staging.staged_for_update(user=parent, school=complaint.school, form_token=form_token)
    if complaint.attachments.count() + len(staged) > MAX_FILES * 3:
        raise ActionError("This complaint has as many files as it can take. Send the most important ones.")
    names = []
    for item in staged:
        names.append(attach_staged(complaint, item).original_name)
    summary = "Message from the parent" + (f" with {len(names)} file{'s' if len(names) != 1 else ''}" if names else "")
    entry = add_entry(complaint, parent, EntryKind.PARENT_MESSAGE, summary, body=text.strip())
    notify(
        key=f"complaint-parent-message:{entry.pk}",
        to=_school_side(complaint),
        template="complaint-parent-message",
        context={"complaint": complaint, "school": complaint.school, "url": absolute_url(complaint.get_absolute_url())},
        school=complaint.school,
    )
    return entry


def next_stage_for(complaint: Complaint) -> Stage | None:
    return NEXT_STAGE.get(Stage(complaint.stage)) if complaint.is_open else None


def stage_request(complaint: Complaint) -> ComplaintEntry | None:
    """The parent's request to move on from the stage the complaint is at now, if they made one."""
    return complaint.entries.filter(kind=EntryKind.STAGE_REQUEST, stage=complaint.stage).order_by("at", "pk").first()


@transaction.atomic
def ask_for_next_stage(*, complaint: Complaint, parent: User, reason: str) -> ComplaintEntry:
    complaint = locked(complaint)
    if complaint.parent_id != parent.pk:
        raise ActionError("Only the parent who raised the complaint can ask for the next stage.")
    wanted = next_stage_for(complaint)
    if wanted is None:
        raise ActionError("There is no further stage to ask for: this complaint has reached its last stage.")
    earlier = stage_request(complaint)
    if earlier is not None:  # a second click, or a second tab: one request per stage
        return earlier
    entry = add_entry(
        complaint,
        parent,
        EntryKind.STAGE_REQUEST,
        f"The parent asked to move to the {wanted.label.lower()} stage",
        body=reason.strip(),
    )
    notify(
        key=f"complaint-stage-request:{entry.pk}",
        to=school_emails(complaint.school, roles_with("complaints.manage")),
        template="complaint-stage-request",
        context={
            "complaint": complaint,
            "school": complaint.school,
            "wanted": wanted.label.lower(),
            "url": absolute_url(complaint.get_absolute_url()),
        },
        school=complaint.school,
    )
    return entry
