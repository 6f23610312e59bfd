"""Restricted cases: an allegation about a member of staff, the headteacher or the DSL included.

Once restricted, a case is open only to its named handlers (`Incident.handlers`): every other
headteacher or DSL of the school, and the person the allegation is about above all, gets 404 on the
case and on everything built from it (`incidents.access`). The person concerned can never be a
handler, and whoever restricts the case names themselves, so nobody locks a case away from
everyone. Restricting, changing the handlers and lifting it are each a timeline row (internal) and
a history row of the incident.

Handlers hold a case role at the school (headteacher or DSL). An allegation about the headteacher
goes to the chair of governors (KCSIE part four): the case is shut to the headteacher, and the
chair (a governor's membership marked as chair) must be among its handlers, told by a content-free
email, and works it with the DSL. The chair may be named on no other case.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.urls import reverse

from accounts.models import Membership, Role, School, User
from accounts.permissions import roles_with
from notifications.outbox import notify
from schoolsocial.lib.text import PlainTextMixin

from . import timeline
from .models import EntryKind, EscalationStep, Incident, Outcome

CASE_ROLES = roles_with("incidents.view_all")
STAFF_ROLES = {Role.HEADTEACHER, Role.DSL, Role.STAFF, Role.OFFICE}


class RestrictionError(Exception):
    pass


def possible_handlers(school: School, *, with_chair: bool = True) -> list[User]:
    """The people who may be named: those acting at the school as headteacher or DSL, and the
    chair of governors (for an allegation about the headteacher only: see `restrict`)."""
    ids = Membership.objects.active().filter(school=school, role__in=CASE_ROLES)
    if with_chair:
        ids = ids | Membership.objects.chairs().filter(school=school)
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("full_name", "pk"))


def chair_of(school: School) -> User | None:
    """The school's chair of governors, if the headteacher has named one on the portal."""
    ids = Membership.objects.chairs().filter(school=school).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk").first()


def check_handlers(school: School, *, about: User, handlers, by: User) -> None:
    """The rules on who handles a restricted case; the message says what to change."""
    chair = chair_of(school)
    about_headteacher = about.pk in headteachers_of(school)
    if about in handlers:
        raise RestrictionError(f"{about.full_name} is the person the allegation is about: they cannot handle it.")
    if by not in handlers:
        raise RestrictionError("Tick yourself too, or the case would be shut to you as well.")
    allowed = {user.pk for user in possible_handlers(school, with_chair=about_headteacher)}
    if chair is not None and chair in handlers and not about_headteacher:
        raise RestrictionError(
            f"{chair.full_name} is the chair of governors: the chair handles only an allegation about the headteacher."
        )
    if any(user.pk not in allowed for user in handlers):
        raise RestrictionError("Name only the school's headteacher, DSLs or (for the headteacher) the chair.")
    if about_headteacher and chair is not None and chair not in handlers:
        raise RestrictionError(
            f"An allegation about the headteacher goes to the chair of governors: tick {chair.full_name}."
        )


def staff_of(school: School) -> list[User]:
    """The adults an allegation can be about: anyone working at the school."""
    ids = Membership.objects.active().filter(school=school, role__in=STAFF_ROLES).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "pk"))


def headteachers_of(school: School) -> set[int]:
    return set(
        Membership.objects.active().filter(school=school, role=Role.HEADTEACHER).values_list("user_id", flat=True)
    )


class RestrictForm(PlainTextMixin, forms.Form):
    allegation_about = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Who is the allegation about?",
        error_messages={"required": "Choose the member of staff the allegation is about."},
    )
    handlers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who handles it",
        help_text="Only the people ticked can open the case. Tick yourself.",
        error_messages={"required": "Tick who handles the case (yourself included)."},
    )
    meets_harm_threshold = forms.BooleanField(
        required=False,
        label="The allegation meets the harm threshold",
        help_text="The adult may have harmed a child, committed an offence against a child, behaved in a way "
        "that shows they may pose a risk to children, or may not be suitable to work with children.",
    )
    reason = forms.CharField(
        label="Why the case is restricted (kept on the record)",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add a short reason: it is kept on the record."},
    )

    def __init__(self, *args, school: School, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        staff = staff_of(school)
        self.fields["allegation_about"].queryset = User.objects.filter(pk__in=[u.pk for u in staff])
        self.fields["allegation_about"].label_from_instance = lambda user: user.full_name
        self.school = school
        self.fields["handlers"].queryset = User.objects.filter(pk__in=[u.pk for u in possible_handlers(school)])
        chair = chair_of(school)
        self.fields["handlers"].label_from_instance = lambda user: (
            f"{user.full_name} (chair of governors: for an allegation about the headteacher)"
            if chair is not None and user.pk == chair.pk
            else user.full_name
        )

    def clean(self):
        data = super().clean()
        about, handlers = data.get("allegation_about"), data.get("handlers")
        if about is not None and handlers is not None:
            try:
                check_handlers(self.school, about=about, handlers=list(handlers), by=self.actor)
            except RestrictionError as error:
                self.add_error("handlers", str(error))
        if about is not None and about == self.actor:
            self.add_error(
                "allegation_about", "An allegation about you is handled by someone else: ask them to restrict it."
            )
        return data


def _names(users) -> str:
    return ", ".join(sorted(user.full_name for user in users))


@transaction.atomic
def restrict(
    *,
    incident: Incident,
    by: User,
    allegation_about: User,
    handlers: list[User],
    meets_harm_threshold: bool,
    reason: str,
) -> Incident:
    """Shut the case to everyone but `handlers` (who must include `by` and exclude the person concerned)."""
    check_handlers(incident.school, about=allegation_about, handlers=handlers, by=by)
    if not reason.strip():
        raise RestrictionError("Add a short reason: it is kept on the record.")
    incident = Incident.objects.select_for_update().select_related("school").get(pk=incident.pk)
    was_restricted = incident.restricted
    incident.restricted = True
    incident.allegation_about = allegation_about
    incident.meets_harm_threshold = meets_harm_threshold
    # Nobody outside the handlers keeps the case or its steps (nor their reminders, which name it).
    handler_ids = {user.pk for user in handlers}
    if incident.owner_id is not None and incident.owner_id not in handler_ids:
        incident.owner = by
    waiting = EscalationStep.objects.filter(incident=incident, outcome=Outcome.PENDING, owner__isnull=False)
    for step in waiting.exclude(owner_id__in=handler_ids):
        step.owner = by
        step.save(update_fields=["owner"])
    incident._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]  # the history row says why
    incident.save()
    newly_named = {user.pk for user in handlers} - set(incident.handlers.values_list("pk", flat=True))
    incident.handlers.set(handlers)
    summary = (
        f"Access changed: only {_names(handlers)} can open the case"
        if was_restricted
        else f"Restricted: an allegation about {allegation_about.full_name}; only {_names(handlers)} can open the case"
    )
    body = reason.strip()
    chair = chair_of(incident.school)
    if allegation_about.pk in headteachers_of(incident.school):
        if chair is not None:
            body += (
                f"\n\nThe allegation is about the headteacher: {chair.full_name}, the chair of governors, manages it."
            )
        else:
            body += (
                "\n\nThe allegation is about the headteacher: the chair of governors manages it. The school has "
                "no chair of governors on the portal, so the chair works it with the DSL outside the portal."
            )
        if chair is not None and chair.pk in newly_named:
            _tell_the_chair(incident, chair)
    if meets_harm_threshold:
        body += "\n\nIt meets the harm threshold: refer it to the LADO within one working day."
    timeline.record(incident, by, EntryKind.RESTRICTED, summary, body=body)
    return incident


def _tell_the_chair(incident: Incident, chair: User) -> None:
    # As the safeguarding alert: no name, no post, no allegation; only that a case waits, and where.
    notify(
        key=f"incident-chair-handler:{incident.pk}:{chair.pk}",
        to=[chair.email],
        template="incident-chair-handler",
        context={"school": incident.school, "url": reverse("incidents:detail", args=[incident.pk])},
        school=incident.school,
    )


@transaction.atomic
def lift(*, incident: Incident, by: User, reason: str) -> Incident:
    """Open the case again to every headteacher and DSL of the school."""
    if not reason.strip():
        raise RestrictionError("Add a short reason: it is kept on the record.")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.restricted:
        raise RestrictionError("The case is not restricted.")
    incident.restricted = False
    incident._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
    incident.save()
    incident.handlers.clear()
    timeline.record(
        incident,
        by,
        EntryKind.RESTRICTED,
        "Restriction lifted: every headteacher and DSL can open the case",
        body=reason,
    )
    return incident


def may_open(incident: Incident | None, user: User | None) -> bool:
    """Whether `user` may see a restricted case's details where another record shows them (a
    complaint linked to it before it was restricted, its panel bundle): everyone may see an
    unrestricted one (the page's own access rules apply), only its named handlers a restricted
    one. The person concerned is never a handler, so never sees it."""
    if incident is None or not incident.restricted:
        return True
    if user is None or not user.is_authenticated:
        return False
    return incident.handlers.filter(pk=user.pk).exists()
