"""The year-end rollover: every class moves up a year, the school's last year group leaves the roll,
and the school's new year starts (the agreement asks for the new year's signature; the dashboard's
coverage counts the new year).

Rules kept here, each proven by a test that tries to break it:
- each class with pupils on roll either moves up to the next year group (keeping its name) or
  moves its pupils into a named class (an existing one that will be empty, or a new one);
- the pupils of the last year group the school teaches leave the roll: marked off roll with the
  day they left, never deleted (their incidents, complaints and signatures stay with them);
- the whole rollover is one transaction and every row it changes has a history row naming it;
- it can be undone on the same day, by putting back exactly what `RolloverRun.before` recorded,
  unless the roll has been imported or rolled over again since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.signals import roll_written
from schoolsocial.lib.history import note_change
from schoolsocial.lib.school_years import academic_year_for, following_year, later_of

from ..models import Pupil, School, SchoolClass, User
from .columns import YEAR_GROUPS, next_year_group
from .models import RollImport, RolloverRun

UP, INTO, LEAVE, STAYS = "up", "into", "leave", "stays"


class RolloverRefused(Exception):
    """The rollover (or its undo) cannot be done; the message says why, in plain words."""


# A rollover run up to three months before 1 September (the end of the summer term) starts the
# coming year; one run in the autumn (the MIS rolled over in September) starts the year just begun.
LOOK_AHEAD = timedelta(days=92)


def school_year(school: School) -> str:
    """The year the school is in now: the calendar's, or the next if it rolled over early."""
    return later_of(academic_year_for(timezone.localdate()), school.academic_year)


def year_to_start(school: School) -> str:
    """The school year a rollover (or an import that moves everyone up) starts now."""
    coming = academic_year_for(timezone.localdate() + LOOK_AHEAD)
    return later_of(coming, following_year(school.academic_year) if school.academic_year else "")


def already_started(school: School) -> bool:
    """The school rolled over into the coming year already (this summer's rollover was run)."""
    return school.academic_year == academic_year_for(timezone.localdate() + LOOK_AHEAD)


@dataclass
class ClassMove:
    school_class: SchoolClass
    pupils: int
    action: str  # UP, INTO, LEAVE, or STAYS (a year group the portal cannot move on)
    into_name: str = ""

    @property
    def next_year(self) -> str | None:
        return next_year_group(self.school_class.year_group)

    def describe(self) -> str:
        name, count = self.school_class.name, self.pupils
        pupils = f"{count} pupil{'s' if count != 1 else ''}"
        if self.action == LEAVE:
            return f"{name} ({self.school_class.year_group}): {pupils} leave the roll"
        if self.action == INTO:
            return f"{name} ({self.school_class.year_group}): {pupils} move into {self.into_name} ({self.next_year})"
        if self.action == UP:
            return f"{name}: moves up from {self.school_class.year_group} to {self.next_year} ({pupils})"
        return f"{name}: stays as it is ({pupils}; its year group “{self.school_class.year_group or 'not set'}” has no next year)"


@dataclass
class RolloverPlan:
    school: School
    year_before: str
    year_after: str
    last_year_group: str | None
    moves: list[ClassMove] = field(default_factory=list)

    @property
    def leaving(self) -> int:
        return sum(m.pupils for m in self.moves if m.action == LEAVE)

    @property
    def moving(self) -> int:
        return sum(m.pupils for m in self.moves if m.action in (UP, INTO))


def last_year_group(classes: Sequence[SchoolClass]) -> str | None:
    """The highest year group among the classes with pupils on roll: its pupils leave."""
    known = [c.year_group for c in classes if c.year_group in YEAR_GROUPS]
    return max(known, key=YEAR_GROUPS.index) if known else None


def default_plan(school: School) -> RolloverPlan:
    """Every class with pupils on roll, each moving up (the last year group leaving)."""
    classes = list(
        SchoolClass.objects.filter(school=school)
        .annotate(on_roll=Count("pupils", filter=Q(pupils__is_on_roll=True)))
        .filter(on_roll__gt=0)
        .order_by("name")
    )
    last = last_year_group(classes)
    plan = RolloverPlan(school, school_year(school), year_to_start(school), last)
    for school_class in sorted(
        classes, key=lambda c: (YEAR_GROUPS.index(c.year_group) if c.year_group in YEAR_GROUPS else -1, c.name)
    ):
        if school_class.year_group == last:
            action = LEAVE
        elif next_year_group(school_class.year_group) is None:
            action = STAYS
        else:
            action = UP
        plan.moves.append(ClassMove(school_class, getattr(school_class, "on_roll", 0), action))
    return plan


def choose(plan: RolloverPlan, into: dict[int, str]) -> list[str]:
    """Apply the office's choices (class id -> the name of the class its pupils move into; blank
    to move up). Returns the problems in plain words; none means the plan can run."""
    problems = []
    for move in plan.moves:
        name = " ".join(into.get(move.school_class.pk, "").split())[:100]
        if name and move.action in (UP, INTO):
            move.action, move.into_name = INTO, name
    # A class that moves up keeps its pupils: nobody else can be moved into it as well.
    staying_full = {m.school_class.name.casefold() for m in plan.moves if m.action in (UP, STAYS)}
    targets: dict[str, str] = {}
    for move in plan.moves:
        if move.action != INTO:
            continue
        key = move.into_name.casefold()
        if key in staying_full:
            problems.append(
                f"{move.school_class.name} cannot move into {move.into_name}: {move.into_name} keeps its own "
                "pupils as it moves up. Choose a class that will be empty, or a new name."
            )
        elif key in targets:
            problems.append(f"{targets[key]} and {move.school_class.name} cannot both move into {move.into_name}.")
        targets[key] = move.school_class.name
    return problems


@transaction.atomic
def run(plan: RolloverPlan, *, by: User) -> RolloverRun:
    school = School.objects.select_for_update().get(pk=plan.school.pk)
    roll_written.send(sender=School, school_id=school.pk)
    if already_started(school) or year_to_start(school) != plan.year_after:
        raise RolloverRefused(
            f"The school has started {school.academic_year} already. Undo that rollover first if it was a mistake."
        )
    class_ids = [m.school_class.pk for m in plan.moves]
    classes = {c.pk: c for c in SchoolClass.objects.select_for_update().filter(school=school, pk__in=class_ids)}
    pupils = list(
        Pupil.objects.select_for_update().filter(school=school, school_class_id__in=class_ids, is_on_roll=True)
    )
    by_name = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=school)}
    run = RolloverRun.objects.create(school=school, run_by=by, year_before=plan.year_before, year_after=plan.year_after)
    history = {"default_user": by, "default_change_reason": run.change_reason}
    before: dict[str, Any] = {
        "classes": [{"id": c.pk, "name": c.name, "year_group": c.year_group} for c in classes.values()],
        "pupils": [
            {"id": p.pk, "class_id": p.school_class_id, "is_on_roll": p.is_on_roll, "left_on": _iso(p.left_on)}
            for p in pupils
        ],
        "created_classes": [],
        "school_year": school.academic_year,
    }
    today = timezone.localdate()
    destination: dict[int, SchoolClass] = {}
    moved_up: list[SchoolClass] = []
    for move in plan.moves:
        school_class = classes[move.school_class.pk]
        if move.action == UP:
            school_class.year_group = move.next_year or school_class.year_group
            moved_up.append(school_class)
        elif move.action == INTO:
            target = by_name.get(move.into_name.casefold())
            if target is None:
                target = SchoolClass(school=school, name=move.into_name, year_group=move.next_year or "")
                note_change(target, by=by, reason=run.change_reason)
                target.save()
                by_name[target.name.casefold()] = target
                before["created_classes"].append(target.pk)
            elif move.next_year and target.year_group != move.next_year:
                if target.pk not in classes:
                    before["classes"].append({"id": target.pk, "name": target.name, "year_group": target.year_group})
                target.year_group = move.next_year
                moved_up.append(target)
            destination[school_class.pk] = target
    leaving = {m.school_class.pk for m in plan.moves if m.action == LEAVE}
    changed_pupils = []
    for pupil in pupils:
        if pupil.school_class_id in leaving:
            pupil.is_on_roll, pupil.left_on = False, today
            changed_pupils.append(pupil)
        elif pupil.school_class_id in destination:
            pupil.school_class = destination[pupil.school_class_id]
            changed_pupils.append(pupil)
    if moved_up:
        bulk_update_with_history(moved_up, SchoolClass, ["year_group"], **history)
    if changed_pupils:
        bulk_update_with_history(changed_pupils, Pupil, ["school_class", "is_on_roll", "left_on"], **history)
    note_change(school, by=by, reason=run.change_reason)
    school.academic_year = plan.year_after
    school.save(update_fields=["academic_year"])
    run.before = before
    run.summary = {
        "lines": [m.describe() for m in plan.moves],
        "moved": plan.moving,
        "left": plan.leaving,
    }
    run.save(update_fields=["before", "summary"])
    return run


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def undo_refusal(run: RolloverRun) -> str:
    """Why this rollover can no longer be undone, or "" if it can."""
    if run.undone_at is not None:
        return "This rollover has been undone already."
    if timezone.localdate(run.run_at) != timezone.localdate():
        return "A rollover can only be undone on the day it was run."
    if RolloverRun.objects.filter(school_id=run.school_id, run_at__gt=run.run_at, undone_at__isnull=True).exists():
        return "The school has been rolled over again since. Undo that one first."
    if RollImport.objects.filter(school_id=run.school_id, applied_at__gt=run.run_at).exists():
        return "The roll has been imported since, so undoing would lose that import's changes."
    return ""


@transaction.atomic
def undo(run: RolloverRun, *, by: User) -> RolloverRun:
    run = RolloverRun.objects.select_for_update().get(pk=run.pk)
    school = School.objects.select_for_update().get(pk=run.school_id)
    roll_written.send(sender=School, school_id=school.pk)
    refusal = undo_refusal(run)
    if refusal:
        raise RolloverRefused(refusal)
    history = {"default_user": by, "default_change_reason": run.undo_reason}
    saved_classes = {row["id"]: row for row in run.before["classes"]}
    classes = list(SchoolClass.objects.select_for_update().filter(school=school, pk__in=saved_classes))
    for school_class in classes:
        school_class.name = saved_classes[school_class.pk]["name"]
        school_class.year_group = saved_classes[school_class.pk]["year_group"]
    saved_pupils = {row["id"]: row for row in run.before["pupils"]}
    pupils = list(Pupil.objects.select_for_update().filter(school=school, pk__in=saved_pupils))
    for pupil in pupils:
        row = saved_pupils[pupil.pk]
        pupil.school_class_id = row["class_id"]
        pupil.is_on_roll = row["is_on_roll"]
        pupil.left_on = date.fromisoformat(row["left_on"]) if row["left_on"] else None
    if classes:
        bulk_update_with_history(classes, SchoolClass, ["name", "year_group"], **history)
    if pupils:
        bulk_update_with_history(pupils, Pupil, ["school_class", "is_on_roll", "left_on"], **history)
    for created in SchoolClass.objects.filter(school=school, pk__in=run.before["created_classes"]):
        if not created.pupils.exists():
            note_change(created, by=by, reason=run.undo_reason)
            created.delete()
    note_change(school, by=by, reason=run.undo_reason)
    school.academic_year = run.before.get("school_year", "")
    school.save(update_fields=["academic_year"])
    run.undone_at, run.undone_by = timezone.now(), by
    run.save(update_fields=["undone_at", "undone_by"])
    return run
