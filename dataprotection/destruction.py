"""Destroying a record for good: the record, everything that hangs off it, its files, its
notifications, its access-log rows and its rows in the audit-history tables. What remains is one
DestructionLog line (kind, reference, who authorised it, when, under which rule; counts only)
and, for cases and complaints, their anonymised figures added to KeptFigures.

What "hangs off" a record is found from the models themselves: every relation that points at a
destroyed row with CASCADE or PROTECT is destroyed too (so a new app's rows about a case go with
it without a change here), SET_NULL relations are cleared, many-to-many links are removed. A case
also takes the complaints filed about it. Rows are removed with raw deletes: the models refuse
delete() on purpose (evidence, signatures and final letters are never deleted in the portal), and
a normal delete would write a "deleted" history row holding the very content being destroyed.

Files leave storage after the database commits (a task, retried), so a failure part-way never
leaves a row pointing at a missing file.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccessLog, Pupil, School, User
from accounts.signals import roll_written
from schoolsocial.lib.tasks import enqueue_on_commit

from .models import DestructionLog, KeptFigures, ReviewItem, ReviewStatus
from .sweep import _next_month, start_of

logger = logging.getLogger(__name__)


class CannotDestroy(ValidationError):
    pass


@dataclass
class Purge:
    """Everything one destruction removes, gathered before anything is removed."""

    rows: dict[type[models.Model], set] = field(default_factory=lambda: defaultdict(set))
    order: list[type[models.Model]] = field(default_factory=list)
    clear: list[tuple[type[models.Model], str, set]] = field(default_factory=list)
    links: list[tuple[type[models.Model], str, set]] = field(default_factory=list)
    # History rows of children that point at a destroyed row, including children removed before
    # (a pupil unlinked from a case leaves a history row naming both).
    child_history: list[tuple[type[models.Model], str, set]] = field(default_factory=list)
    notifications: Q = field(default_factory=lambda: Q(pk__in=[]))

    def collect(self, model: type[models.Model], ids) -> None:
        new = set(ids) - self.rows[model]
        if not new:
            return
        self.rows[model] |= new
        for relation in model._meta.related_objects:
            related: type[models.Model] = relation.related_model  # type: ignore[assignment]  # a class once apps load
            if related.__name__.startswith("Historical"):
                continue  # history rows are removed by id below, with the record's own
            if relation.many_to_many:
                through = relation.through  # type: ignore[attr-defined]  # many_to_many: a ManyToManyRel
                column = next(f.name for f in through._meta.fields if f.is_relation and f.related_model is model)
                self.links.append((through, column, new))
                continue
            on_delete = relation.on_delete
            name = relation.field.name
            if on_delete in (models.CASCADE, models.PROTECT):
                self.child_history.append((related, name, new))
                self.collect(
                    related, related._default_manager.filter(**{f"{name}__in": new}).values_list("pk", flat=True)
                )
            elif on_delete == models.SET_NULL:
                self.clear.append((related, name, new))
        # Children first, so the removal order never leaves a child without its parent.
        if model in self.order:
            self.order.remove(model)
        self.order.append(model)
        for many in model._meta.many_to_many:
            link_model: type[models.Model] = many.remote_field.through  # type: ignore[assignment]  # set once apps load
            column = next(f.name for f in link_model._meta.fields if f.is_relation and f.related_model is model)
            self.links.append((link_model, column, new))

    def counts(self) -> dict[str, int]:
        return {str(m._meta.verbose_name_plural): len(ids) for m, ids in self.rows.items() if ids}

    def stored_files(self) -> set[str]:
        names = set()
        for model, ids in self.rows.items():
            file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
            if file_fields and ids:
                for values in model._default_manager.filter(pk__in=ids).values_list(*file_fields):
                    names |= {name for name in values if name}
        return names

    def run(self) -> dict[str, int]:
        """Remove it all. Must run inside the caller's transaction."""
        removed = {"files": 0, "history rows": 0, "access log rows": 0, "emails": 0}
        files = self.stored_files()
        removed["files"] = len(files)
        removed["emails"] = self._remove_notifications()
        for model, column, ids in self.clear:
            staying = model._default_manager.filter(**{f"{column}__in": ids}).exclude(
                pk__in=self.rows.get(model, set())
            )
            staying.update(**{column: None})
        for through, column, ids in self.links:
            _raw_delete(through._default_manager.filter(**{f"{column}__in": ids}))
        for model, column, ids in self.child_history:
            history = getattr(model, "history", None)
            if history is not None and hasattr(history, "model"):
                removed["history rows"] += _raw_delete(
                    history.model._default_manager.filter(**{f"{column}_id__in": ids})
                )
        for model in reversed(self.order):
            ids = self.rows[model]
            if not ids:
                continue
            _raw_delete(model._default_manager.filter(pk__in=ids))
            history = getattr(model, "history", None)
            if history is not None and hasattr(history, "model"):
                removed["history rows"] += _raw_delete(history.model._default_manager.filter(id__in=ids))
            removed["access log rows"] += _raw_delete(
                AccessLog.objects.filter(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in ids])
            )
        if files:
            from .tasks import delete_stored_files

            enqueue_on_commit(delete_stored_files, sorted(files))
        return removed

    def _remove_notifications(self) -> int:
        from incidents.letters.models import LetterDelivery
        from notifications.models import Notification

        emails = Notification.objects.filter(self.notifications)
        ids = list(emails.values_list("pk", flat=True))
        if not ids:
            return 0
        LetterDelivery.objects.filter(notification_id__in=ids).update(notification=None)
        return _raw_delete(Notification.objects.filter(pk__in=ids))


def _raw_delete(queryset) -> int:
    # QuerySet._raw_delete: one DELETE, no signals (so no "deleted" history row) and no model
    # delete() refusing. Only this module removes rows this way.
    return queryset._raw_delete(router.db_for_write(queryset.model)) or 0


def _keys(prefix: str, ids) -> Q:
    """Notifications whose key names one of `ids` after `prefix` ("letter:12:email:1")."""
    query = Q(pk__in=[])
    for pk in ids:
        query |= Q(key=f"{prefix}:{pk}") | Q(key__startswith=f"{prefix}:{pk}:")
    return query


def _notification_keys(purge: Purge) -> Q:
    from agreements.models import Signature
    from complaints.models import Complaint, ComplaintEntry, PanelHearing, PanelRecord
    from incidents.letters.models import Letter
    from incidents.models import ClusterAlert, EscalationStep, Incident

    by_model = {
        Incident: ["incident-dsl-alert", "incident-staff-safety-alert", "incident-chair-handler"],
        Letter: ["letter"],
        EscalationStep: ["step-reminder"],
        ClusterAlert: ["cluster-alert"],
        Complaint: [
            "complaint-new",
            "complaint-received",
            "complaint-assigned",
            "complaint-panel",
            "complaint-deadline",
            "complaint-deadline-parent",
        ],
        ComplaintEntry: ["complaint-entry"],
        PanelRecord: ["complaint-panel-letter"],
        PanelHearing: ["complaint-hearing", "complaint-hearing-member"],
        Signature: ["agreement-copy", "agreement-withdrawn"],
    }
    query = Q(pk__in=[])
    for model, prefixes in by_model.items():
        for prefix in prefixes:
            if purge.rows.get(model):
                query |= _keys(prefix, purge.rows[model])
    return query


# --- Anonymised figures ------------------------------------------------------------------------


def _month(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def _figures_row(school_id: int, month: date) -> KeptFigures:
    row, _ = KeptFigures.objects.select_for_update().get_or_create(school_id=school_id, month=month)
    return row


def _bump(counter: dict, key, by: int = 1) -> None:
    counter[str(key)] = counter.get(str(key), 0) + by


def keep_incident_figures(incident_ids: set[int]) -> None:
    """Add the destroyed incidents' counts to KeptFigures, so the statistics do not change."""
    from incidents.models import EscalationStep, Incident, IncidentNature
    from incidents.statistics import RESOLUTION_BANDS

    natures = defaultdict(list)
    for incident_id, code in IncidentNature.objects.filter(incident_id__in=incident_ids).values_list(
        "incident_id", "nature"
    ):
        natures[incident_id].append(code)
    routes = defaultdict(set)
    for incident_id, kind in EscalationStep.objects.filter(incident_id__in=incident_ids).values_list(
        "incident_id", "kind"
    ):
        routes[incident_id].add(kind)
    rows = Incident.objects.filter(pk__in=incident_ids).values_list(
        "pk", "school_id", "created_at", "platform__name", "seconds_to_resolve"
    )
    for pk, school_id, created_at, platform, seconds in rows:
        kept = _figures_row(school_id, _month(created_at))
        kept.incidents += 1
        for code in natures[pk]:
            _bump(kept.by_nature, code)
        _bump(kept.by_platform, platform)
        for kind in routes[pk]:
            _bump(kept.routes, kind)
        if seconds is not None:
            kept.resolved += 1
            for number, (_, upper) in enumerate(RESOLUTION_BANDS):
                if upper is None or seconds <= upper.total_seconds():
                    _bump(kept.resolution, number)
                    break
        kept.save()


def keep_complaint_figures(complaint_ids: set[int]) -> None:
    from complaints.models import Complaint

    rows = Complaint.objects.filter(pk__in=complaint_ids).values_list(
        "school_id", "created_at", "stage", "reached_panel_at", "panel__decision"
    )
    for school_id, created_at, stage, reached_panel_at, decision in rows:
        kept = _figures_row(school_id, _month(created_at))
        kept.complaints += 1
        _bump(kept.complaints_by_stage, stage)
        if reached_panel_at is not None:
            kept.complaints_reached_panel += 1
        if decision:
            _bump(kept.decisions, decision)
        kept.save()


# --- What each kind of record takes with it ----------------------------------------------------


def _incident_purge(school: School, pk: int) -> Purge:
    from complaints.models import Complaint, Stage
    from incidents.models import FINISHED_STATUSES, Incident

    incident = Incident.objects.filter(school=school, pk=pk).first()
    if incident is None:
        raise CannotDestroy("This case is no longer in the portal.")
    if incident.status not in FINISHED_STATUSES:
        raise CannotDestroy("This case has been reopened. Close it before destroying it.")
    complaints = Complaint.objects.filter(incident=incident)
    if complaints.exclude(stage=Stage.CLOSED).exists():
        raise CannotDestroy("A complaint about this case is still open. Close it first.")
    purge = Purge()
    purge.collect(Incident, [incident.pk])
    purge.collect(Complaint, complaints.values_list("pk", flat=True))
    # Emails that quote the case by its reference, whatever their key.
    purge.notifications = Q(school=school) & (
        Q(body_text__contains=incident.reference) | Q(subject__contains=incident.reference)
    )
    return purge


def _complaint_purge(school: School, pk: int) -> Purge:
    from complaints.models import Complaint, Stage

    complaint = Complaint.objects.filter(school=school, pk=pk).first()
    if complaint is None:
        raise CannotDestroy("This complaint is no longer in the portal.")
    if complaint.stage != Stage.CLOSED:
        raise CannotDestroy("This complaint has been reopened.")
    purge = Purge()
    purge.collect(Complaint, [complaint.pk])
    return purge


def _signature_purge(school: School, pk: int) -> Purge:
    """A signature, and the older records a withdrawal points back to."""
    from agreements.models import Signature

    found = Signature.objects.filter(school=school, pk=pk).values_list("pk", "withdraws_id").first()
    if found is None:
        raise CannotDestroy("This signature is no longer in the portal.")
    ids, withdraws = {found[0]}, found[1]
    while withdraws is not None and withdraws not in ids:
        ids.add(withdraws)
        withdraws = Signature.objects.filter(pk=withdraws).values_list("withdraws_id", flat=True).first()
    purge = Purge()
    purge.collect(Signature, ids)
    return purge


def _pupil_purge(school: School, pk: int) -> Purge:
    """A pupil's own record, links and signatures (cases and complaints about them keep their own
    retention; their link to the pupil is cleared)."""
    pupil = Pupil.objects.filter(school=school, pk=pk).first()
    if pupil is None:
        raise CannotDestroy("This pupil is no longer in the portal.")
    if pupil.is_on_roll:
        raise CannotDestroy("This pupil is back on the roll.")
    purge = Purge()
    purge.collect(Pupil, [pupil.pk])
    # Emails naming the child that no record key points to (an agreement request lists all of a
    # parent's children by first name): the school's emails that give the full name, and those to
    # the child's own parents that give the first name, go with the record.
    from notifications.models import Notification

    parents = set(pupil.parent_links.values_list("parent__email", flat=True))
    to_parents = [
        pk
        for pk, to in Notification.objects.filter(school=school, body_text__contains=pupil.first_name).values_list(
            "pk", "to"
        )
        if parents & set(to or [])
    ]
    purge.notifications = Q(school=school) & (
        Q(body_text__contains=pupil.full_name) | Q(subject__contains=pupil.full_name) | Q(pk__in=to_parents)
    )
    return purge


def _month_purge(school: School, record_type: str, month_key: str) -> Purge:

    try:
        first = datetime.strptime(month_key, "%Y-%m").date()
    except ValueError as problem:
        raise CannotDestroy("This review item names no month.") from problem
    bounds = (start_of(first), start_of(_next_month(first)))
    purge = Purge()
    if record_type == "access_log":
        ids = AccessLog.objects.filter(school=school, at__gte=bounds[0], at__lt=bounds[1]).values_list("pk", flat=True)
        purge.collect(AccessLog, ids)
    else:
        purge.notifications = Q(school=school, created_at__gte=bounds[0], created_at__lt=bounds[1])
    return purge


def _purge_for(item: ReviewItem) -> Purge:
    kind = item.record_type
    if kind in ("access_log", "email"):
        return _month_purge(item.school, kind, item.object_key)
    if not item.object_key.isdigit():
        raise CannotDestroy("This review item names no record.")
    pk = int(item.object_key)
    if kind in ("incident", "safeguarding_incident"):
        return _incident_purge(item.school, pk)
    if kind == "complaint":
        return _complaint_purge(item.school, pk)
    if kind == "signature":
        return _signature_purge(item.school, pk)
    if kind == "pupil":
        return _pupil_purge(item.school, pk)
    raise CannotDestroy("This kind of record cannot be destroyed here.")


def _review_items_of(purge: Purge, school: School) -> Q:
    """Review items of every record the purge removes (a case's complaint has its own)."""
    from agreements.models import Signature
    from complaints.models import Complaint
    from incidents.models import Incident

    query = Q(pk__in=[])
    for model, kinds in (
        (Incident, ["incident", "safeguarding_incident"]),
        (Complaint, ["complaint"]),
        (Signature, ["signature"]),
        (Pupil, ["pupil"]),
    ):
        ids = [str(pk) for pk in purge.rows.get(model, ())]
        if ids:
            query |= Q(record_type__in=kinds, object_key__in=ids)
    return Q(school=school) & query


def execute(purge: Purge, school: School) -> dict[str, int]:
    """Keep the figures, then remove everything the purge gathered (inside a transaction)."""
    from complaints.models import Complaint
    from incidents import statistics
    from incidents.models import Incident

    if purge.rows.get(Incident):
        keep_incident_figures(purge.rows[Incident])
    if purge.rows.get(Complaint):
        keep_complaint_figures(purge.rows[Complaint])
    purge.notifications |= _notification_keys(purge)
    items = list(ReviewItem.objects.filter(_review_items_of(purge, school)).values_list("pk", flat=True))
    counts = purge.counts()
    counts["subject access copies"] = _scrub_subject_access_copies(purge)
    counts.update(purge.run())
    roll_written.send(sender=School, school_id=school.pk)  # raw deletes: no post_delete to hear
    _raw_delete(ReviewItem.history.model.objects.filter(id__in=items))
    _raw_delete(ReviewItem.objects.filter(pk__in=items))
    if purge.rows.get(Incident):
        # The rows went by raw delete (no signals): recount the kept monthly figures, which no
        # longer count them, now that KeptFigures does (the totals do not change).
        from incidents import figures

        figures.rebuild_school(school.pk)
    statistics.invalidate(school.pk)
    return counts


def _scrub_subject_access_copies(purge: Purge) -> int:
    """A subject access request keeps a copy of each record it gathered (what the DPO reviewed) and
    the release built from them. Destroying a record takes its copies too: the request's register
    entry and decisions stay, its content goes, and a release that held it loses its stored copy."""
    from accounts.models import Pupil

    from .sar_models import SarItem, SarRelease, SubjectAccessRequest

    # A request about a pupil whose record goes keeps its place in the register, not the name.
    pupils = purge.rows.get(Pupil, set())
    about: list[int] = []
    if pupils:
        about = list(SubjectAccessRequest.objects.filter(pupil_id__in=pupils).values_list("pk", flat=True))
        unnamed = "A pupil whose record was destroyed under the retention schedule"
        # (The link is hidden from the purge's relation walk, so it is cleared here.)
        SubjectAccessRequest.objects.filter(pk__in=about).update(subject_name=unnamed, pupil=None)
        SubjectAccessRequest.history.model.objects.filter(id__in=about).update(subject_name=unnamed, pupil=None)
    # Every item gathered about that pupil is about them (access log rows, invitations...), and so
    # is each item copied from a record that goes.
    query = Q(request_id__in=about)
    for model, ids in purge.rows.items():
        if ids:
            query |= Q(record_type=model._meta.label_lower, record_id__in=ids)
    copies = SarItem.objects.filter(query)
    requests = set(copies.values_list("request_id", flat=True))
    if not requests:
        return 0
    # The decisions' history names whom the DPO redacted: those names go with the copy.
    SarItem.history.model.objects.filter(id__in=copies.values("pk")).update(redact_names=[], redact_fields=[])
    scrubbed = copies.update(
        title="Destroyed under the retention schedule",
        text={},
        files=[],
        other_people=[],
        notes=[],
        redact_names=[],
        redact_fields=[],
    )
    releases = SarRelease.objects.filter(request_id__in=requests)
    stored = [name for pair in releases.values_list("file", "summary_pdf") for name in pair if name]
    releases.update(
        file="",
        summary_pdf="",
        sha256="",
        summary_sha256="",
        error="It held records since destroyed under the retention schedule, so the school's copy was removed.",
    )
    if stored:
        from .tasks import delete_stored_files

        enqueue_on_commit(delete_stored_files, sorted(stored))
    return scrubbed


@transaction.atomic
def destroy_item(*, item: ReviewItem, by: User) -> DestructionLog:
    """Destroy the record a review item names, as `by` decided. Refuses one on legal hold."""
    item = ReviewItem.objects.select_for_update().select_related("school").get(pk=item.pk)
    if item.status == ReviewStatus.HOLD:
        raise CannotDestroy("This record is on legal hold. Lift the hold first.")
    purge = _purge_for(item)
    counts = execute(purge, item.school)
    # The item itself and its history go too: its notes may name people.
    _raw_delete(ReviewItem.history.model.objects.filter(id=item.pk))
    _raw_delete(ReviewItem.objects.filter(pk=item.pk))
    return DestructionLog.objects.create(
        school=item.school,
        record_type=item.record_type,
        reference=item.reference,
        rule=item.rule,
        authorised_by=by,
        authorised_by_name=by.full_name,
        counts=counts,
    )
