"""What a cluster alert says: pre-filled from the incident without personal data, and checked so
that it names nobody the school knows before it can be sent."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from accounts.models import Membership, Pupil, School

from ..models import ClusterAlert, EscalationStep, Incident, Outcome, StepKind

# What the school did, in words another school can use. Steps that would point at one person in a
# small cluster (a staff disciplinary, a ban from the premises) are left for the writer to add.
DONE_PHRASES: dict[str, str] = {
    StepKind.PLATFORM_REPORT: "We reported the post to the platform.",
    StepKind.UNDERAGE_REPORT: "We reported the under-age account to the platform.",
    StepKind.REMOVAL_REQUEST: "We asked the person who posted it to take it down.",
    StepKind.HEADTEACHER_MEETING: "We met the person who posted it.",
    StepKind.WRITTEN_WARNING: "We sent a written warning asking for it to be removed.",
    StepKind.POLICE_REFERRAL: "We referred it to the police.",
    StepKind.LEGAL_ADVICE: "We took legal advice.",
    StepKind.SAFEGUARDING_REFERRAL: "We made a safeguarding referral.",
    StepKind.HOST_CONTACT: "We contacted the site's host.",
    StepKind.FORUM_RESTRICTION: "We restricted access to a school forum.",
    StepKind.ANTI_BULLYING: "We followed our anti-bullying procedure.",
}


@dataclass(frozen=True)
class Draft:
    """The fields of an alert, as the sender last saw them in the preview."""

    platform_name: str
    natures: tuple[str, ...]
    account_is_public: bool
    account_name: str
    summary: str
    actions_taken: str
    advice: str
    show_school_name: bool

    @classmethod
    def from_data(cls, data: dict) -> Draft:
        public = bool(data.get("account_is_public"))
        return cls(
            platform_name=(data.get("platform_name") or "").strip(),
            natures=tuple(sorted(data.get("natures") or ())),
            account_is_public=public,
            account_name=(data.get("account_name") or "").strip() if public else "",
            summary=_tidy(data.get("summary")),
            actions_taken=_tidy(data.get("actions_taken")),
            advice=_tidy(data.get("advice")),
            show_school_name=bool(data.get("show_school_name")),
        )

    def digest(self) -> str:
        """A fingerprint of exactly this text: sending checks it matches the preview shown."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def as_alert(self, school: School) -> ClusterAlert:
        """An unsaved alert, so the preview is drawn by the very template the other schools see."""
        assert school.cluster_id is not None  # the compose page offers no alert outside a cluster
        fields = asdict(self)
        fields["natures"] = list(self.natures)
        return ClusterAlert(source_school=school, cluster_id=school.cluster_id, **fields)


def _tidy(text: str | None) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


# Outcomes that mean the step did not happen, so it is not offered as something the school did.
NOT_DONE_OUTCOMES = frozenset({Outcome.PENDING, Outcome.SKIPPED, Outcome.NOT_DONE})


def initial_for(incident: Incident, steps: Iterable[EscalationStep]) -> dict:
    """The form's starting point: the platform, the natures, the account (sent only if ticked
    public) and what was done so far. Nothing about the people: the sender writes the rest."""
    done = []
    for step in steps:
        phrase = DONE_PHRASES.get(step.kind)
        if step.outcome in NOT_DONE_OUTCOMES or (
            step.kind == StepKind.HEADTEACHER_MEETING and step.outcome != Outcome.HELD
        ):
            continue  # "we met them" only if the meeting was held
        if phrase and phrase not in done:
            done.append(phrase)
    return {
        "platform_name": incident.platform.name if incident.platform else "",
        "natures": incident.nature_codes,
        "account_name": incident.account_name,
        "actions_taken": " ".join(done),
    }


# --- Checking a draft for personal data -------------------------------------------------------


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w]+", " ", text.lower()).split()) + " "


def _mentions(text: str, phrase: str) -> bool:
    phrase = _words(phrase)
    return phrase.strip() != "" and phrase in _words(text)


TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr")


def _ways_of_naming(full_name: str) -> list[str]:
    """A full name, and "Mrs Khan" for it. A first or last name alone is not looked for: too many
    are ordinary words ("Grace", "Young"), and a false alarm would teach people to ignore it."""
    parts = full_name.split()
    if len(parts) < 2:
        return []
    return [full_name, *(f"{title} {parts[-1]}" for title in TITLES)]


def _incident_people(incident: Incident) -> list[str]:
    names = [person.full_name for person in (incident.reporter, incident.poster_parent, incident.owner) if person]
    names += [f"{link.pupil.first_name} {link.pupil.last_name}" for link in incident.linked_pupils]
    return names


def _single_names(incident: Incident) -> list[str]:
    """First and last names of the incident's own people, looked for alone as capitalised words:
    "Leo's mum posted..." points straight at a family even without the surname. Only these few
    people, so ordinary words rarely collide with them."""
    return list(dict.fromkeys(part for name in _incident_people(incident) for part in name.split() if len(part) > 2))


def _names_alone(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _people_named(incident: Incident) -> list[str]:
    """The incident's own people, then the school's pupils and everyone with a role there."""
    names = _incident_people(incident)
    pupils = Pupil.objects.filter(school=incident.school_id).values_list(
        "first_name", "preferred_first_name", "last_name"
    )
    members = Membership.objects.filter(school=incident.school_id).values_list("user__full_name", flat=True)
    # A child is named by their preferred first name as often as by their legal one.
    pupil_names = {f"{first} {last}" for first, preferred, last in pupils} | {
        f"{preferred} {last}" for _, preferred, last in pupils if preferred
    }
    names += sorted(pupil_names | set(members))
    return [way for name in dict.fromkeys(names) for way in _ways_of_naming(name)]


def personal_data_problems(draft: Draft, incident: Incident) -> dict[str, str]:
    """For each free-text field that names someone or something that identifies the case, the
    message to show beside it. Empty when the draft is fit to send."""
    people = _people_named(incident)
    single_names = _single_names(incident)
    identifying = [incident.reference]
    if not draft.show_school_name:
        identifying.append(incident.school.name)
    private_handle = "" if draft.account_is_public else (incident.account_name or "").strip()
    problems = {}
    for field in ("account_name", "summary", "actions_taken", "advice"):
        text = getattr(draft, field)
        if not text:
            continue
        named = [name for name in people if _mentions(text, name)] or [
            name for name in single_names if _names_alone(text, name)
        ]
        if named:
            problems[field] = f"This names “{named[0]}”, someone at your school or in this incident. " + (
                "Leave the account out." if field == "account_name" else "Describe what happened without names."
            )
        elif field == "account_name":
            continue
        elif any(_mentions(text, item) for item in identifying):
            found = next(item for item in identifying if _mentions(text, item))
            problems[field] = (
                f"This mentions “{found}”, which tells the other schools whose case it is. Take it out"
                + (", or tick “Show our school's name”." if found == incident.school.name else ".")
            )
        elif private_handle and _mentions(text, private_handle):
            problems[field] = (
                f"This names the account “{private_handle}”. Tick that it is a public account or group, "
                "or take the name out."
            )
    return problems
