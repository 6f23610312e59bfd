"""The audit history (django-simple-history) as a DPO reads it, scoped to one school.

`HISTORY_SCOPES` says, for every model whose changes are kept, how one of its history rows is
tied to a school: plain data, checked by a test that fails when a model with history is missing,
so a new app cannot add history that the DPO cannot see (or that leaks across schools).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from accounts.models import Membership, School, User

# The lookup, on a history row, that gives the school's id. "@members" means a person: tied to
# every school where they hold (or held) a role. A model left out here is invisible to the DPO.
HISTORY_SCOPES: dict[str, str] = {
    "accounts.school": "id",
    "accounts.user": "@members",
    "accounts.membership": "school_id",
    "accounts.schoolsignin": "school_id",
    "accounts.schoolclass": "school_id",
    "accounts.pupil": "school_id",
    "accounts.parentlink": "pupil__school_id",
    "accounts.invitation": "school_id",
    "accounts.columnmapping": "school_id",
    "accounts.contact": "school_id",
    "accounts.pupilcontact": "pupil__school_id",
    "incidents.platform": "school_id",
    "incidents.schoolplatform": "school_id",
    "incidents.incident": "school_id",
    "incidents.incidentnature": "incident__school_id",
    "incidents.incidentpupil": "incident__school_id",
    "incidents.escalationstep": "incident__school_id",
    "incidents.timelineentry": "incident__school_id",
    "incidents.clusteralert": "source_school_id",
    "incidents.evidence": "school_id",
    "letters.letter": "school_id",
    "letters.letterdelivery": "letter__school_id",
    "letters.evidencebundle": "school_id",
    "policies.policydocument": "school_id",
    "policies.policyversion": "document__school_id",
    "agreements.agreementtemplate": "school_id",
    "agreements.agreementversion": "school_id",
    "agreements.signature": "school_id",
    "complaints.complaintsettings": "school_id",
    "complaints.complaint": "school_id",
    "complaints.complaintentry": "complaint__school_id",
    "complaints.attachment": "school_id",
    "complaints.conflictdeclaration": "complaint__school_id",
    "complaints.panelrecord": "complaint__school_id",
    "complaints.panelhearing": "complaint__school_id",
    "dataprotection.privacynotice": "school_id",
    "dataprotection.retentionsetting": "school_id",
    "dataprotection.reviewitem": "school_id",
    "dataprotection.subjectaccessrequest": "school_id",
    "dataprotection.saritem": "request__school_id",
    "dataprotection.sarrelease": "request__school_id",
}

CHANGE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}
HIDDEN_FIELDS = frozenset({"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user"})


def tracked_models() -> list[type[models.Model]]:
    """Every model whose changes django-simple-history keeps."""
    return [
        model
        for model in apps.get_models()
        if getattr(model, "history", None) is not None
        and hasattr(model.history, "model")  # type: ignore[attr-defined]  # simple_history adds it
        and not model.__name__.startswith("Historical")
    ]


def record_types() -> list[tuple[str, str]]:
    """(label, name for people) of each kind of record with history, for the chooser."""
    found = []
    for model in tracked_models():
        label = model._meta.label_lower
        if label in HISTORY_SCOPES:
            found.append((label, str(model._meta.verbose_name).capitalize()))
    return sorted(found, key=lambda item: item[1])


def model_for(label: str) -> type[models.Model] | None:
    if label not in HISTORY_SCOPES:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def school_q(label: str, school: School) -> Q:
    """Which history rows of `label` belong to `school`."""
    scope = HISTORY_SCOPES[label]
    if scope == "@members":
        return Q(id__in=Membership.objects.filter(school=school).values("user_id"))
    return Q(**{scope: school.pk})


def tracked_model(label: str) -> type[models.Model]:
    """The model of a label the caller has already checked (`model_for` found it)."""
    model = model_for(label)
    if model is None:
        raise LookupError(f"No history is kept for {label}.")
    return model


def history_model(model: type[models.Model]) -> type[models.Model]:
    """The model of `model`'s history rows (simple_history adds `history` at run time)."""
    return model.history.model  # type: ignore[attr-defined]


def history_for_school(label: str, school: School) -> models.QuerySet:
    """History rows of one kind of record at one school, newest first. 404s are the caller's job."""
    return (
        history_model(tracked_model(label))
        ._default_manager.filter(school_q(label, school))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def find_record_id(label: str, school: School, text: str) -> int | None:
    """The id a DPO means by `text`: a number, or a reference such as NBP-2026-0007 or NBP-C0012."""
    text = (text or "").strip()
    if text.isdigit():
        return int(text)
    upper = text.upper()
    if label == "incidents.incident":
        found = history_for_school(label, school).filter(reference__iexact=upper).values_list("id", flat=True)
        return found.first()
    if label == "complaints.complaint" and upper.startswith(f"{school.short_code}-C"):
        number = upper.removeprefix(f"{school.short_code}-C")
        return int(number) if number.isdigit() else None
    return None


def record_label(label: str, row: Any, school: School) -> str:
    """How a record is named on these pages without reading anything beyond its history row."""
    if label == "incidents.incident":
        return row.reference
    if label == "complaints.complaint":
        return f"{school.short_code}-C{row.id:04d}"
    model = tracked_model(label)
    return f"{str(model._meta.verbose_name).capitalize()} {row.id}"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Version:
    row: Any
    change: str
    changes: list[Change]


def _field_names(model: type[models.Model]) -> list[models.Field]:
    return [f for f in history_model(model)._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _show(field: models.Field, value: Any, people: dict[int, str]) -> str:
    if value is None or value == "":
        return "–"
    if field.is_relation:
        if field.related_model is User:
            return people.get(value, f"Person {value}")
        related = field.related_model
        return f"{str(related._meta.verbose_name).capitalize()} {value}"  # type: ignore[union-attr]  # a class once apps load
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M") if hasattr(value, "hour") else value.strftime("%d/%m/%Y")
    return str(value)


def versions_of(label: str, rows: list, before: Any = None) -> list[Version]:
    """Each history row of one record (newest first) with what it changed from the row before it;
    `before` is the row just older than the last of `rows`, when there is one (the next page's)."""
    model = tracked_model(label)
    fields = _field_names(model)
    user_fields = [f for f in fields if f.is_relation and f.related_model is User]
    user_ids = {getattr(row, f.attname) for row in rows for f in user_fields} - {None}
    people = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "full_name")) if user_ids else {}
    versions = []
    for index, row in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else before
        changes = []
        for field in fields:
            new = getattr(row, field.attname)
            old = getattr(older, field.attname) if older is not None else None
            if older is None and row.history_type != "+":
                continue  # the first row we hold, but not its creation: nothing to compare with
            if older is None or old != new:
                if older is None and new in (None, "", [], {}):
                    continue
                changes.append(
                    Change(
                        field=str(field.verbose_name).capitalize(),
                        old=_show(field, old, people) if older is not None else "",
                        new=_show(field, new, people),
                    )
                )
        versions.append(Version(row=row, change=CHANGE_LABELS.get(row.history_type, row.history_type), changes=changes))
    return versions
