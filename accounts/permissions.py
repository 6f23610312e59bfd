"""Who may do what: ONE table of what each role may do, and the two questions asked of it.

- `may(membership, ability)`: may the person, acting in this role at this school, do it?
- `require(request_or_membership, ability)`: the school they act for if so; otherwise 404.
  `@requires(ability)` does the same in front of a view.

Every page, access helper and query that depends on a role asks here, by the ability's name,
instead of listing roles itself. The table is plain data, like the escalation rules: a change to
it is a change to who sees children's data, so `tests/accounts/test_permissions_table.py` holds
the same table written out as a role x ability matrix and fails until both are changed.

A refusal is always a 404 ("No such page."), never a 403: a page meant for another role neither
confirms nor denies that anything is there. Which *record* a person may open (their own report,
the complaint they were given, another school's record) is the app's access helper's question;
it asks `may` first and then narrows to the records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from django.http import Http404, HttpRequest

from .roles import Role

if TYPE_CHECKING:
    from .models import Membership, School, User

HEADTEACHER, DSL, STAFF, GOVERNOR, OFFICE, DPO, PARENT = (
    Role.HEADTEACHER,
    Role.DSL,
    Role.STAFF,
    Role.GOVERNOR,
    Role.OFFICE,
    Role.DPO,
    Role.PARENT,
)


@dataclass(frozen=True)
class Ability:
    roles: frozenset[Role]
    meaning: str


def _ability(meaning: str, *roles: Role) -> Ability:
    return Ability(frozenset(roles), meaning)


# fmt: off
PERMISSIONS: dict[str, Ability] = {
    # Incidents: reporting a post, and the case work on it.
    "incidents.report": _ability(
        "Report a post, and follow the reports they filed themselves (with their own evidence)",
        HEADTEACHER, DSL, STAFF, OFFICE, PARENT),
    "incidents.view_all": _ability(
        "Open every incident of the school: the post, all its evidence, the steps and the timeline",
        HEADTEACHER, DSL),
    "incidents.triage": _ability(
        "Triage a new incident: severity, nature, who posted it and who owns it",
        HEADTEACHER, DSL),
    "incidents.escalate": _ability(
        "Plan, skip and record the escalation steps; change the status; add notes and evidence",
        HEADTEACHER, DSL),
    "incidents.own_cases": _ability(
        "Be given an incident to own",
        HEADTEACHER, DSL),
    "incidents.view_platforms": _ability(
        "See the platform directory with the school's own settings",
        HEADTEACHER, DSL),
    "incidents.manage_platforms": _ability(
        "Change the school's settings for a platform and add the school's own platforms",
        HEADTEACHER),
    "incidents.cluster_alerts": _ability(
        "Send an anonymised alert to the cluster's schools, and read the alerts the cluster sent",
        HEADTEACHER, DSL),
    "incidents.statistics": _ability(
        "See anonymised incident and complaint figures (counts only, no names)",
        HEADTEACHER, GOVERNOR),
    # Letters and referral bundles.
    "letters.draft": _ability(
        "Draft and preview letters, record one posted or handed over, and build referral bundles",
        HEADTEACHER, DSL),
    "letters.finalise": _ability(
        "Make a letter final (it can then never change)",
        HEADTEACHER),
    "letters.email": _ability(
        "Email a final letter",
        HEADTEACHER),
    "letters.edit_wording": _ability(
        "Change the school's standard wording of each letter",
        HEADTEACHER),
    # Complaints and the governors' panel.
    "complaints.raise": _ability(
        "Raise a concern or complaint and follow the ones they raised",
        PARENT),
    "complaints.manage": _ability(
        "See every complaint; move its stage, link an incident, assign the informal stage, release "
        "material to the panel and set the deadlines",
        HEADTEACHER),
    "complaints.handle_informal": _ability(
        "Be given the informal stage of a complaint, and handle it while it stays informal",
        HEADTEACHER, DSL, STAFF),
    "complaints.panel": _ability(
        "Review the complaints that reached the governors' panel and record its decision",
        GOVERNOR),
    "complaints.termly_reports": _ability(
        "Ask for and download the termly report to governors",
        HEADTEACHER, GOVERNOR),
    # Policies.
    "policies.read": _ability(
        "Read the school's approved policies in the portal",
        HEADTEACHER, DSL, STAFF, GOVERNOR),
    "policies.read_published": _ability(
        "Find the school's published policies (title, approval date, text and PDF) from the portal's menu",
        HEADTEACHER, DSL, STAFF, GOVERNOR, OFFICE, DPO, PARENT),
    "policies.oversee": _ability(
        "See every policy with its drafts, compare versions and send a version back to draft",
        HEADTEACHER, GOVERNOR),
    "policies.manage": _ability(
        "Create and draft policies, import Word files, send for approval and chase acknowledgements",
        HEADTEACHER),
    "policies.acknowledge": _ability(
        "Be asked to acknowledge each new version of the policies staff must read",
        DSL, STAFF),
    "policies.approve_headteacher_owned": _ability(
        "Approve the policies the headteacher owns",
        HEADTEACHER),
    "policies.approve_governing_body_owned": _ability(
        "Approve the policies the governing body owns",
        GOVERNOR),
    # The home-school agreement.
    "agreements.sign": _ability(
        "Sign, or withdraw, the home-school agreement for their own children",
        PARENT),
    "agreements.view_signatures": _ability(
        "See who has signed, class by class, with each signature and paper scan",
        HEADTEACHER, OFFICE),
    "agreements.record_paper": _ability(
        "Record a signature given on a paper form",
        HEADTEACHER, OFFICE),
    "agreements.manage_versions": _ability(
        "Draft and publish a new version of the agreement",
        HEADTEACHER),
    # Pupil and family records.
    "records.view_pupils": _ability(
        "Look up any pupil of the school (for example, to say which pupil posted)",
        HEADTEACHER, DSL, OFFICE),
    "records.pupil_case_history": _ability(
        "See, on a pupil's page, the incidents, complaints and agreement signatures about that child "
        "(each only where the role may open it)",
        HEADTEACHER, DSL),
    "records.manage_pupils": _ability(
        "Add and edit pupils and classes, and take a parent off a child's record",
        HEADTEACHER, OFFICE),
    "records.invite_parents": _ability(
        "Invite parents and carers, and send an invitation again",
        HEADTEACHER, OFFICE),
    "records.import_roll": _ability(
        "Import the roll, parents and carers from the school's MIS export",
        HEADTEACHER, OFFICE),
    "records.roll_over": _ability(
        "Move every class up to the next school year, and undo it on the same day",
        HEADTEACHER, OFFICE),
    "people.school_sign_in": _ability(
        "Set how staff sign in with the school's Microsoft or Google account",
        HEADTEACHER),
    "people.manage_staff": _ability(
        "Invite staff and governors, change or remove their roles, and switch off leavers "
        "(the office only for roles that see no case)",
        HEADTEACHER, OFFICE),
    # Email delivery.
    "notifications.view_delivery": _ability(
        "See which of the school's emails arrived, and send a failed one again",
        HEADTEACHER, OFFICE),
    "notifications.see_case_subjects": _ability(
        "See the subject line of emails about a case on the email delivery page",
        HEADTEACHER),
    # Data protection.
    "dataprotection.audit": _ability(
        "Read the audit history of any record and the access log of who opened what (no case files)",
        DPO),
    "dataprotection.retention": _ability(
        "Change the retention schedule, and destroy, keep or hold the records that reached it",
        HEADTEACHER, DPO),
    "dataprotection.requests": _ability(
        "Register subject access requests, review what is gathered for each, and release the answer",
        HEADTEACHER, DPO),
    "dataprotection.privacy_notice": _ability(
        "Write the school's privacy notice",
        HEADTEACHER, DPO),
}
# fmt: on


# The chair of governors holds no case role, yet an allegation about the headteacher goes to them
# (KCSIE part four). Named as a handler of that restricted case, the chair does its case work: these
# abilities, and only on the restricted cases they are named on (`incidents.access.cases_for`
# narrows them so; every other case, and every other list, stays shut to them).
CHAIR_HANDLER_ABILITIES = frozenset(
    {"incidents.view_all", "incidents.escalate", "letters.draft", "letters.finalise", "letters.email"}
)


def roles_with(ability: str) -> frozenset[Role]:
    """The roles that may do `ability`. An unknown name is a KeyError: a typo must not deny quietly."""
    return PERMISSIONS[ability].roles


def may(membership: Membership | None, ability: str) -> TypeGuard[Membership]:
    """Whether the person, acting in `membership`'s role at its school, may do `ability`."""
    roles = roles_with(ability)
    if membership is None or not membership.is_active:
        return False
    return membership.role in roles or (ability in CHAIR_HANDLER_ABILITIES and membership.is_chair_of_governors)


def holds_case_role(membership: Membership | None) -> bool:
    """Whether the person opens the school's cases by their role (headteacher or DSL), rather than
    only the restricted ones they are named on (the chair of governors)."""
    return membership is not None and membership.is_active and membership.role in roles_with("incidents.view_all")


def schools_where(user: User, ability: str) -> set[int]:
    """The schools at which `user` holds a role that may do `ability` (for scoping querysets)."""
    if not user.is_authenticated:
        return set()
    return user.school_ids_with(roles_with(ability))


def membership_of(request_or_membership: HttpRequest | Membership | None) -> Membership | None:
    if isinstance(request_or_membership, HttpRequest):
        return getattr(request_or_membership, "membership", None)
    # mypy keeps HttpRequest in the union here (the plugin's request type is not narrowed away).
    return cast("Membership | None", request_or_membership)


def require_membership(request_or_membership: HttpRequest | Membership | None, ability: str) -> Membership:
    """The membership the person is acting in, if its role there may do `ability`; otherwise 404."""
    membership = membership_of(request_or_membership)
    if not may(membership, ability):
        raise Http404("No such page.")
    return membership


def require(request_or_membership: HttpRequest | Membership | None, ability: str) -> School:
    """The school the person is acting for, if their role there may do `ability`; otherwise 404."""
    return require_membership(request_or_membership, ability).school


def requires(ability: str) -> Callable:
    """View decorator: `require(request, ability)` before the view runs."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            require(request, ability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def matrix() -> str:
    """The table as a role x ability grid ("x" = may), one ability a line, for reading and review."""
    roles = list(Role)
    width = max(len(name) for name in PERMISSIONS)
    lines = [" ".join([" " * width, *(role.value.ljust(11) for role in roles)]).rstrip()]
    for name, ability in PERMISSIONS.items():
        marks = [("x" if role in ability.roles else ".").ljust(11) for role in roles]
        lines.append(" ".join([name.ljust(width), *marks]).rstrip())
    return "\n".join(lines)
