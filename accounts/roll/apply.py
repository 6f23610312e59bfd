"""Writing a confirmed import: one transaction, bulk writes, a history row for every change that
names the import it came from (`RollImport.change_reason`) and who confirmed it.

Nothing is deleted except contact links the MIS no longer lists: a pupil who is no longer in the
file is marked off roll, so their incidents, complaints and signatures stay with them.
"""

from __future__ import annotations

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.signals import roll_written
from schoolsocial.lib.history import note_change

from ..models import Pupil, School, SchoolClass, User
from .models import Contact, PupilContact, RollImport
from .preview import CHANGED, LEAVING, NEW, Plan

PUPIL_UPDATE_FIELDS = [
    "first_name",
    "preferred_first_name",
    "last_name",
    "upn",
    "admission_number",
    "date_of_birth",
    "school_class",
    "is_on_roll",
    "left_on",
]
CONTACT_UPDATE_FIELDS = ["title", "first_name", "last_name", "email", "phone", "postal_address", "user"]
BATCH = 500


@transaction.atomic
def apply_plan(school, plan: Plan, *, roll_import: RollImport, by: User | None) -> dict[str, int]:
    """Write `plan` (worked out inside the same transaction). Returns how many rows of each kind changed."""
    history = {"default_user": by, "default_change_reason": roll_import.change_reason, "batch_size": BATCH}
    roll_written.send(sender=School, school_id=school.pk)
    written = {"classes": 0, "pupils": 0, "contacts": 0, "links": 0, "accounts": 0}

    classes = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=school)}
    new_classes = [SchoolClass(school=school, name=name, year_group=year) for name, year in plan.new_classes.items()]
    if new_classes:
        bulk_create_with_history(new_classes, SchoolClass, **history)
        classes.update({c.name.casefold(): c for c in SchoolClass.objects.filter(school=school)})
        written["classes"] += len(new_classes)
    moved_classes = []
    for pk, (_, _, year) in plan.class_year_changes.items():
        school_class = next(c for c in classes.values() if c.pk == pk)
        school_class.year_group = year
        moved_classes.append(school_class)
    if moved_classes:
        bulk_update_with_history(moved_classes, SchoolClass, ["year_group"], **history)
        written["classes"] += len(moved_classes)

    def class_for(name: str | None) -> SchoolClass | None:
        return classes.get(name.casefold()) if name else None

    joiners: list[tuple[str, Pupil]] = []
    updated: list[Pupil] = []
    for item in plan.pupils:
        values = item.values
        if item.status == NEW:
            pupil = Pupil(
                school=school,
                first_name=values["first_name"],
                preferred_first_name=values["preferred_first_name"],
                last_name=values["last_name"],
                upn=values["upn"],
                admission_number=values["admission_number"],
                date_of_birth=values["date_of_birth"],
                school_class=class_for(item.class_name),
                is_on_roll=True,
            )
            joiners.append((item.key, pupil))
        elif item.status in (CHANGED, LEAVING) and item.pupil is not None:
            pupil = item.pupil
            if item.line is not None:  # a row of the file; a pupil missing from it only leaves
                for name in ("first_name", "preferred_first_name", "last_name", "date_of_birth"):
                    setattr(pupil, name, values[name])
                pupil.upn = values["upn"] or pupil.upn
                pupil.admission_number = values["admission_number"] or pupil.admission_number
                pupil.school_class = class_for(item.class_name)
            pupil.is_on_roll = values["on_roll"]
            pupil.left_on = None if values["on_roll"] else values.get("left_on")
            updated.append(pupil)
    if joiners:
        bulk_create_with_history([pupil for _, pupil in joiners], Pupil, **history)
    if updated:
        bulk_update_with_history(updated, Pupil, PUPIL_UPDATE_FIELDS, **history)
    written["pupils"] = len(joiners) + len(updated)

    if plan.has_contacts_file:
        pupil_ids = _pupil_ids(plan, joiners)
        written.update(_apply_contacts(school, plan, pupil_ids, history))
    if plan.new_school_year:
        # The MIS moved everyone up over the summer: the school's new year starts, as a rollover does.
        note_change(school, by=by, reason=roll_import.change_reason)
        school.academic_year = plan.new_school_year
        school.save(update_fields=["academic_year"])
    return written


def _pupil_ids(plan: Plan, joiners: list[tuple[str, Pupil]]) -> dict[str, int]:
    # PostgreSQL and SQLite (3.35+) hand back the new rows' ids from a bulk insert.
    ids = {key: pupil.pk for key, pupil in joiners}
    for item in plan.pupils:
        if item.pupil is not None:
            ids[item.key] = item.pupil.pk
    return ids


def _apply_contacts(school, plan: Plan, pupil_ids: dict[str, int], history: dict) -> dict[str, int]:
    new_contacts: list[Contact] = []
    changed_contacts: list[Contact] = []
    for item in plan.contacts:
        if item.status == NEW:
            contact = Contact(school=school, match_key=item.match_key, user_id=item.user_id, **item.values)
            item.contact = contact
            new_contacts.append(contact)
        elif item.status == CHANGED and item.contact is not None and item.values:
            for name, value in item.values.items():
                if value or name == "last_name":
                    setattr(item.contact, name, value)
            if item.user_id:
                item.contact.user_id = item.user_id
            changed_contacts.append(item.contact)
    if new_contacts:
        bulk_create_with_history(new_contacts, Contact, **history)
    if changed_contacts:
        bulk_update_with_history(changed_contacts, Contact, CONTACT_UPDATE_FIELDS, **history)

    existing = {(link.contact_id, link.pupil_id): link for link in PupilContact.objects.filter(contact__school=school)}
    new_links, changed_links = [], []
    for item in plan.contacts:
        if item.contact is None or item.status not in (NEW, CHANGED):
            continue
        for link in item.links:
            pupil_id = pupil_ids[link.pupil_key]
            current = existing.get((item.contact.pk, pupil_id))
            facts = (link.relationship, link.parental_responsibility, link.priority)
            if current is None:
                new_links.append(
                    PupilContact(
                        contact=item.contact,
                        pupil_id=pupil_id,
                        relationship=link.relationship,
                        parental_responsibility=link.parental_responsibility,
                        priority=link.priority,
                    )
                )
            elif (current.relationship, current.parental_responsibility, current.priority) != facts:
                current.relationship, current.parental_responsibility, current.priority = facts
                changed_links.append(current)
    if new_links:
        bulk_create_with_history(new_links, PupilContact, **history)
    if changed_links:
        bulk_update_with_history(
            changed_links, PupilContact, ["relationship", "parental_responsibility", "priority"], **history
        )
    for removed in plan.removed_links:
        note_change(removed, by=history["default_user"], reason=history["default_change_reason"])
        removed.delete()

    accounts = []
    if plan.users_to_update:
        for user in User.objects.filter(pk__in=list(plan.users_to_update)):
            for name, value in plan.users_to_update[user.pk].items():
                setattr(user, name, value)
            accounts.append(user)
        bulk_update_with_history(accounts, User, ["title", "phone", "postal_address"], **history)
    return {
        "contacts": len(new_contacts) + len(changed_contacts),
        "links": len(new_links) + len(changed_links) + len(plan.removed_links),
        "accounts": len(accounts),
    }
