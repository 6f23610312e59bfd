"""What an import would do, row by row, worked out from the files and what the portal holds now.

`plan(school, pupil_rows, contact_rows)` reads the school's pupils, classes, contacts and links in
a fixed handful of queries (however long the files) and writes nothing. The same plan is worked
out again inside the apply's transaction, so what is written is what the rows say of the roll at
that moment; `Plan.summary()` is what the preview page shows and what the CSV download lists.

Pupils are matched on UPN, then admission number, then legal first name + surname + date of
birth. A pupil on roll whom no row matches is leaving; a row that is refused still keeps its
pupil (matched by UPN or admission number) from being marked as leaving.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from ..models import Membership, Pupil, Role, SchoolClass, User
from . import columns
from .models import Contact, PupilContact
from .parsing import Row, formula_in

NEW, CHANGED, UNCHANGED, LEAVING, REFUSED = "new", "changed", "unchanged", "leaving", "refused"
STATUSES = (NEW, CHANGED, UNCHANGED, LEAVING, REFUSED)
STATUS_LABELS = {NEW: "New", CHANGED: "Changed", UNCHANGED: "Unchanged", LEAVING: "Leaving", REFUSED: "Refused"}

PUPIL_FIELDS = ("first_name", "preferred_first_name", "last_name", "upn", "admission_number", "date_of_birth")
FIELD_WORDS = {
    "first_name": "Legal first name",
    "preferred_first_name": "Preferred first name",
    "last_name": "Surname",
    "upn": "UPN",
    "admission_number": "Admission number",
    "date_of_birth": "Date of birth",
    "title": "Title",
    "email": "Email",
    "phone": "Phone",
    "postal_address": "Address",
}
CONTACT_FIELDS = ("title", "first_name", "last_name", "email", "phone", "postal_address")


@dataclass
class PupilPlan:
    line: int | None
    status: str
    name: str
    upn: str = ""
    class_name: str | None = None
    year_group: str = ""
    values: dict = field(default_factory=dict)
    pupil: Pupil | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"id:{self.pupil.pk}" if self.pupil is not None else f"line:{self.line}"


@dataclass
class LinkPlan:
    pupil_key: str
    pupil_name: str
    relationship: str
    parental_responsibility: bool
    priority: int | None


@dataclass
class ContactPlan:
    line: int | None
    status: str
    name: str
    match_key: str = ""
    values: dict = field(default_factory=dict)
    contact: Contact | None = None
    links: list[LinkPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    user_id: int | None = None


@dataclass
class Plan:
    pupils: list[PupilPlan] = field(default_factory=list)
    contacts: list[ContactPlan] = field(default_factory=list)
    new_classes: dict[str, str] = field(default_factory=dict)  # name -> year group
    class_year_changes: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # pk -> (name, old, new)
    removed_links: list[PupilContact] = field(default_factory=list)
    users_to_update: dict[int, dict] = field(default_factory=dict)  # user pk -> {field: value}
    has_contacts_file: bool = False
    # The year the import starts when the MIS has already moved everyone up ("" when it has not).
    new_school_year: str = ""

    def counts(self) -> dict[str, Any]:
        pupil_counts = Counter(p.status for p in self.pupils)
        contact_counts = Counter(c.status for c in self.contacts)
        return {
            "pupils": {status: pupil_counts.get(status, 0) for status in STATUSES},
            "contacts": {status: contact_counts.get(status, 0) for status in STATUSES if status != LEAVING},
            "new_classes": len(self.new_classes),
        }

    @property
    def refused(self) -> int:
        return sum(1 for p in self.pupils if p.status == REFUSED) + sum(1 for c in self.contacts if c.status == REFUSED)

    def summary(self) -> dict:
        """Plain data for the preview page, the CSV download and the command's printout."""
        return {
            "counts": self.counts(),
            "pupils": [
                {
                    "line": p.line,
                    "status": p.status,
                    "name": p.name,
                    "upn": p.upn,
                    "class": p.class_name or "",
                    "notes": p.notes,
                }
                for p in sorted(self.pupils, key=_order)
            ],
            "contacts": [
                {"line": c.line, "status": c.status, "name": c.name, "notes": c.notes}
                for c in sorted(self.contacts, key=_order)
            ],
            "new_classes": [{"name": name, "year_group": year} for name, year in sorted(self.new_classes.items())],
            "class_changes": [
                f"{name}: year group {old or 'not set'} → {new}"
                for name, old, new in sorted(self.class_year_changes.values())
            ],
            "has_contacts_file": self.has_contacts_file,
            "new_school_year": self.new_school_year,
        }


def _order(item) -> tuple:
    return (STATUSES.index(item.status), item.line or 10**9, item.name)


def parse_date(text: str) -> date | None:
    for fmt in columns.DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def uk(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "not set"


def _upn(text: str) -> str:
    return "".join(text.split()).upper()


def _name_key(first: str, last: str, born: date | None) -> tuple[str, str, str]:
    return (first.casefold(), last.casefold(), born.isoformat() if born else "")


def plan(school, pupil_rows: list[Row], contact_rows: list[Row] | None = None, *, today: date | None = None) -> Plan:
    today = today or timezone.localdate()
    result = Plan(has_contacts_file=contact_rows is not None)
    existing = list(Pupil.objects.filter(school=school).select_related("school_class"))
    classes = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=school)}
    by_upn = {p.upn.upper(): p for p in existing if p.upn}
    by_adno = {p.admission_number.casefold(): p for p in existing if p.admission_number}
    by_name = {_name_key(p.first_name, p.last_name, p.date_of_birth): p for p in existing}

    claimed: dict[int, int] = {}  # pupil pk -> line that matched it
    upn_lines: dict[str, list[int]] = {}
    for row in pupil_rows:
        if upn := _upn(row.get("upn")):
            upn_lines.setdefault(upn, []).append(row.line)
    year_votes: dict[str, Counter] = {}
    row_plans: dict[str, PupilPlan] = {}  # upn / adno of a row -> its plan, for the contacts file

    for row in pupil_rows:
        item = _pupil_row(row, today, upn_lines)
        upn, adno = item.values.get("upn", ""), item.values.get("admission_number", "")
        match = by_upn.get(upn) if upn else None
        if match is None and adno:
            match = by_adno.get(adno.casefold())
        if match is None and item.status != REFUSED:
            match = by_name.get(
                _name_key(item.values["first_name"], item.values["last_name"], item.values["date_of_birth"])
            )
        if match is not None and match.pk in claimed:
            item.status = REFUSED
            item.notes = [f"This is the same pupil as line {claimed[match.pk]}."]
        elif match is not None:
            claimed[match.pk] = row.line
            item.pupil = match
        for ref in (upn and f"upn:{upn}", adno and f"adno:{adno.casefold()}"):
            if ref:
                row_plans[ref] = item
        if item.status != REFUSED:
            _compare(item, classes)
            if item.class_name and item.values["on_roll"]:
                year_votes.setdefault(item.class_name.casefold(), Counter())[item.year_group] += 1
        result.pupils.append(item)

    for pupil in existing:
        if pupil.pk not in claimed and pupil.is_on_roll:
            result.pupils.append(
                PupilPlan(
                    line=None,
                    status=LEAVING,
                    name=pupil.full_name,
                    upn=pupil.upn,
                    class_name=pupil.school_class.name if pupil.school_class else None,
                    values={"on_roll": False, "left_on": today},
                    pupil=pupil,
                    notes=["Not in the file: will be marked as off roll (their records are kept)."],
                )
            )

    for class_key, votes in year_votes.items():
        year = votes.most_common(1)[0][0]
        current = classes.get(class_key)
        if current is None:
            name = next(p.class_name for p in result.pupils if p.class_name and p.class_name.casefold() == class_key)
            result.new_classes[name] = year
        elif current.year_group != year:
            result.class_year_changes[current.pk] = (current.name, current.year_group, year)

    result.new_school_year = _year_started_by_mis(school, result)
    if contact_rows is not None:
        _plan_contacts(school, result, contact_rows, row_plans)
    return result


def _year_started_by_mis(school, result: Plan) -> str:
    """The new school year, when most pupils the file matches are one year group up on the portal's
    record: the MIS has rolled over already, and the import does what the rollover would."""
    from .rollover import already_started, year_to_start

    matched = moved_up = 0
    for item in result.pupils:
        if item.pupil is None or item.line is None or item.status == REFUSED or item.pupil.school_class is None:
            continue
        matched += 1
        if item.year_group and item.year_group == columns.next_year_group(item.pupil.school_class.year_group):
            moved_up += 1
    if matched == 0 or moved_up * 2 <= matched or already_started(school):
        return ""
    return year_to_start(school)


def _pupil_row(row: Row, today: date, upn_lines: dict[str, list[int]]) -> PupilPlan:
    first, last = row.get("first_name"), row.get("last_name")
    preferred = row.get("preferred_first_name")
    upn = _upn(row.get("upn"))
    name = " ".join(part for part in (preferred or first, last) if part) or "(no name)"
    item = PupilPlan(line=row.line, status=NEW, name=name, upn=upn)
    reasons: list[str] = []
    if (column := formula_in(row)) is not None:
        reasons.append(
            f"The {columns.field_labels(columns.PUPILS)[column].lower()} starts with “{row.get(column)[:1]}”, "
            "which a spreadsheet would run as a formula. Correct it in the MIS."
        )
    if not last:
        reasons.append("No surname.")
    if not first:
        reasons.append("No legal first name.")
    born = parse_date(row.get("date_of_birth")) if row.get("date_of_birth") else None
    if not row.get("date_of_birth"):
        reasons.append("No date of birth.")
    elif born is None:
        reasons.append(f"The date of birth “{row.get('date_of_birth')}” is not a date (write it as day/month/year).")
    elif born > today:
        reasons.append(f"The date of birth {uk(born)} is in the future.")
    elif born.year < today.year - 21:
        reasons.append(f"The date of birth {uk(born)} would make the pupil older than 21.")
    year = columns.year_group(row.get("year_group"))
    if year is None:
        reasons.append(f"Unknown year group “{row.get('year_group')}”." if row.get("year_group") else "No year group.")
    if upn and len(upn_lines.get(upn, [])) > 1:
        others = ", ".join(str(line) for line in upn_lines[upn] if line != row.line)
        reasons.append(f"The UPN {upn} is on more than one row (also line {others}).")
    leaving_text = row.get("leaving_date")
    left_on = parse_date(leaving_text) if leaving_text else None
    if leaving_text and left_on is None:
        reasons.append(f"The leaving date “{leaving_text}” is not a date (write it as day/month/year).")
    flag = columns.on_roll(row.get("on_roll"))
    if flag is None:
        reasons.append(f"The on-roll column says “{row.get('on_roll')}”; expected yes or no.")
    item.values = {
        "first_name": first,
        "preferred_first_name": preferred if preferred != first else "",
        "last_name": last,
        "upn": upn,
        "admission_number": row.get("admission_number"),
        "date_of_birth": born,
        "on_roll": bool(flag) and not (left_on is not None and left_on <= today),
        "left_on": left_on if left_on is not None and left_on <= today else None,
        "class_given": "registration_group" in row.values,
    }
    item.class_name = row.get("registration_group") or None
    item.year_group = year or ""
    if reasons:
        item.status = REFUSED
        item.notes = reasons
    return item


def _compare(item: PupilPlan, classes: dict[str, SchoolClass]) -> None:
    """Set the status and the words for what changes, against the matched pupil (if any)."""
    values = item.values
    pupil = item.pupil
    if item.class_name and item.class_name.casefold() in classes:
        item.class_name = classes[item.class_name.casefold()].name  # the portal's spelling of it
    if pupil is None:
        if not values["on_roll"]:
            item.status = UNCHANGED
            item.notes = ["Has left and was never on the portal: not added."]
            return
        item.status = NEW
        item.notes = [f"Joins {item.class_name}." if item.class_name else "Joins with no class."]
        return
    changes = []
    for name in PUPIL_FIELDS:
        new = values[name]
        old = getattr(pupil, name)
        if name in ("upn", "admission_number") and not new:
            continue  # a file without the column does not clear what is on file
        if new != old:
            shown = (uk(old), uk(new)) if name == "date_of_birth" else (old or "blank", new or "blank")
            changes.append(f"{FIELD_WORDS[name]}: {shown[0]} → {shown[1]}")
    old_class = pupil.school_class.name if pupil.school_class else None
    if not values["class_given"] or (item.class_name is None and old_class is not None):
        item.class_name = old_class  # no class in the file: the pupil keeps theirs
    elif (item.class_name or "").casefold() != (old_class or "").casefold():
        changes.append(f"Class: {old_class or 'none'} → {item.class_name or 'none'}")
    if values["on_roll"] and not pupil.is_on_roll:
        changes.append("Back on roll.")
    if not values["on_roll"] and pupil.is_on_roll:
        item.status = LEAVING
        when = values["left_on"]
        item.notes = changes + [f"Leaving date {uk(when)}: will be marked as off roll." if when else "Marked as left."]
        return
    if not values["on_roll"]:
        values["left_on"] = pupil.left_on
    item.status = CHANGED if changes else UNCHANGED
    item.notes = changes


def contact_values(row: Row) -> dict:
    address = row.get("address")
    if not address:
        address = "\n".join(row.get(part) for part in ("address_1", "address_2", "town", "county") if row.get(part))
    postcode = row.get("postcode").upper()
    if postcode and postcode.replace(" ", "") not in address.upper().replace(" ", ""):
        address = f"{address}\n{postcode}" if address else postcode
    return {
        "title": row.get("title").rstrip(".")[:20],
        "first_name": row.get("first_name"),
        "last_name": row.get("last_name"),
        "email": row.get("email").lower(),
        "phone": row.get("phone")[:40],
        "postal_address": address,
    }


def match_key(values: dict) -> str:
    if values["email"]:
        return f"email:{values['email']}"
    postcode_or_address = values["postal_address"].split("\n")[-1].replace(" ", "").casefold()
    return f"name:{values['first_name'].casefold()}|{values['last_name'].casefold()}|{postcode_or_address}"[:300]


def _plan_contacts(school, result: Plan, rows: list[Row], row_plans: dict[str, PupilPlan]) -> None:
    contacts = {c.match_key: c for c in Contact.objects.filter(school=school)}
    links = {
        (link.contact_id, link.pupil_id): link
        for link in PupilContact.objects.filter(contact__school=school).select_related("pupil")
    }
    by_key: dict[str, ContactPlan] = {}
    seen_pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        values = contact_values(row)
        name = " ".join(part for part in (values["title"], values["first_name"], values["last_name"]) if part)
        reasons = []
        if (column := formula_in(row)) is not None:
            reasons.append(
                f"The {columns.field_labels(columns.CONTACTS)[column].lower()} starts with “{row.get(column)[:1]}”, "
                "which a spreadsheet would run as a formula. Correct it in the MIS."
            )
        if not values["last_name"]:
            reasons.append("No surname.")
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                reasons.append(f"“{row.get('email')}” is not an email address.")
        pupil_plan = _pupil_for_contact(row, row_plans)
        if pupil_plan is None:
            ref = row.get("pupil_upn") or row.get("pupil_admission_number")
            reasons.append(
                f"No pupil with UPN or admission number “{ref}” in the pupils file." if ref else "No pupil UPN."
            )
        elif pupil_plan.status == REFUSED:
            reasons.append(f"Its pupil was refused (pupils file, line {pupil_plan.line}).")
        elif pupil_plan.status == UNCHANGED and pupil_plan.pupil is None:
            reasons.append(f"Its pupil has left and is not on the portal (pupils file, line {pupil_plan.line}).")
        key = match_key(values)
        if not reasons and pupil_plan is not None:
            pair = (key, pupil_plan.key)
            if pair in seen_pairs:
                reasons.append(f"The same contact for the same pupil is already on line {seen_pairs[pair]}.")
            seen_pairs[pair] = row.line
        if reasons:
            result.contacts.append(ContactPlan(line=row.line, status=REFUSED, name=name or "(no name)", notes=reasons))
            continue
        assert pupil_plan is not None  # a contact whose pupil is not in the file was refused above
        item = by_key.get(key)
        if item is None:
            item = ContactPlan(
                line=row.line, status=NEW, name=name, match_key=key, values=values, contact=contacts.get(key)
            )
            by_key[key] = item
            result.contacts.append(item)
        priority_text = row.get("priority")
        item.links.append(
            LinkPlan(
                pupil_key=pupil_plan.key,
                pupil_name=pupil_plan.name,
                relationship=columns.relationship(row.get("relationship")),
                parental_responsibility=bool(columns.yes_no(row.get("parental_responsibility"))),
                priority=int(priority_text) if priority_text.isdigit() and int(priority_text) < 100 else None,
            )
        )

    planned_pairs: set[tuple[int, int]] = set()
    for item in by_key.values():
        contact = item.contact
        if contact is None:
            item.notes = [f"Contact for {', '.join(link.pupil_name for link in item.links)}."]
            continue
        changes = []
        for name in CONTACT_FIELDS:
            new, old = item.values[name], getattr(contact, name)
            if new != old and not (name != "last_name" and not new):
                changes.append(f"{FIELD_WORDS.get(name, name)}: {(old or 'blank')} → {new}".replace("\n", ", "))
        for link in item.links:
            pupil_id = int(link.pupil_key[3:]) if link.pupil_key.startswith("id:") else None
            existing = links.get((contact.pk, pupil_id)) if pupil_id else None
            if pupil_id:
                planned_pairs.add((contact.pk, pupil_id))
            if existing is None:
                changes.append(f"Now a contact for {link.pupil_name}.")
            elif (existing.relationship, existing.parental_responsibility, existing.priority) != (
                link.relationship,
                link.parental_responsibility,
                link.priority,
            ):
                changes.append(f"Relationship, parental responsibility or priority for {link.pupil_name} updated.")
        item.status = CHANGED if changes else UNCHANGED
        item.notes = changes

    leaving_ids = {p.pupil.pk for p in result.pupils if p.status == LEAVING and p.pupil is not None}
    in_file = {p.pupil.pk for p in result.pupils if p.pupil is not None and p.status != REFUSED}
    contact_plans = {item.contact.pk: item for item in by_key.values() if item.contact is not None}
    contacts_by_pk = {contact.pk: contact for contact in contacts.values()}
    for (contact_id, pupil_id), old_link in links.items():
        if (contact_id, pupil_id) in planned_pairs or pupil_id not in in_file or pupil_id in leaving_ids:
            continue
        result.removed_links.append(old_link)
        item = contact_plans.get(contact_id)
        if item is None:  # not in the file at all: only their links go
            contact = contacts_by_pk[contact_id]
            item = ContactPlan(line=None, status=CHANGED, name=contact.full_name, contact=contact)
            contact_plans[contact_id] = item
            result.contacts.append(item)
        item.status = CHANGED
        item.notes.append(f"No longer a contact for {old_link.pupil.full_name}.")

    _plan_user_details(school, result, by_key)


def _pupil_for_contact(row: Row, row_plans: dict[str, PupilPlan]) -> PupilPlan | None:
    if upn := _upn(row.get("pupil_upn")):
        return row_plans.get(f"upn:{upn}")
    if adno := row.get("pupil_admission_number"):
        return row_plans.get(f"adno:{adno.casefold()}")
    return None


def _plan_user_details(school, result: Plan, by_key: dict[str, ContactPlan]) -> None:
    """Parents already on the portal get the title, phone and address the MIS holds for them.

    Only people who are parents at this school: a staff member's account is theirs to keep.
    """
    emails = {item.values["email"]: item for item in by_key.values() if item.values["email"]}
    if not emails:
        return
    parent_ids = set(
        Membership.objects.filter(school=school, role=Role.PARENT, user__email__in=list(emails)).values_list(
            "user_id", flat=True
        )
    )
    for user in User.objects.filter(email__in=list(emails)).only("id", "email", "title", "phone", "postal_address"):
        item = emails[user.email]
        item.user_id = user.pk
        if item.contact is not None and item.contact.user_id != user.pk:
            if item.status == UNCHANGED:
                item.status = CHANGED
            item.notes.append("Linked to their portal account.")
        if user.pk not in parent_ids:
            continue
        updates = {
            name: item.values[name]
            for name in ("title", "phone", "postal_address")
            if item.values[name] and item.values[name] != getattr(user, name)
        }
        if updates:
            result.users_to_update[user.pk] = updates
            if item.status == UNCHANGED:
                item.status = CHANGED
            item.notes.append("Their portal account gets the title, phone and address from the MIS.")
