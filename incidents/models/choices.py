"""The vocabularies of an incident, as TextChoices with the little behaviour they need."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from schoolsocial.lib.workflow import Workflow


class Nature(models.TextChoices):
    ALLEGATION = "allegation", _("Allegation about staff or pupils")
    CYBERBULLYING = "cyberbullying", _("Cyber-bullying")
    COMPLAINT = "complaint", _("Complaint about the school")
    DEFAMATORY = "defamatory", _("Defamatory statement")
    OFFENSIVE_NAMED = "offensive_named", _("Offensive comment about a named pupil or member of staff")
    RACIST = "racist", _("Discriminatory: racist")
    SEXIST = "sexist", _("Discriminatory: sexist")
    HOMOPHOBIC = "homophobic", _("Discriminatory: homophobic")
    DISCRIMINATORY_OTHER = "discriminatory_other", _("Discriminatory: other")
    THREAT = "threat", _("Threat of violence")
    STAFF_PRIVATE = "staff_private", _("Reveals where a member of staff lives, or their family")
    IMAGES = "images", _("Images of pupils posted without consent")
    UNDERAGE = "underage", _("Under-age account")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct online")


DISCRIMINATORY_NATURES = frozenset({Nature.RACIST, Nature.SEXIST, Nature.HOMOPHOBIC, Nature.DISCRIMINATORY_OTHER})


class PosterKind(models.TextChoices):
    PARENT = "parent", _("A parent or carer")
    PUPIL = "pupil", _("A pupil")
    STAFF = "staff", _("A member of staff")
    COMMUNITY = "community", _("Someone else in the community")
    UNKNOWN = "unknown", _("Not known")


class Certainty(models.TextChoices):
    CERTAIN = "certain", _("Certain")
    LIKELY = "likely", _("Fairly sure")
    UNSURE = "unsure", _("Not sure")
    UNKNOWN = "unknown", _("Not known")


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    NO_ACTION = "no_action", _("No action needed")

    @property
    def is_open(self) -> bool:
        return self not in (Status.CLOSED, Status.NO_ACTION, Status.RESOLVED)


# The statuses in which an incident counts as finished (Incident.resolved_at is set).
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.NO_ACTION, Status.CLOSED})


# Where an incident may go next from each status. Plain data: INCIDENT_WORKFLOW checks every move
# (actions, Incident.save()), the pages only offer what it allows, and tests read it.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REPORTED: frozenset({Status.TRIAGED, Status.NO_ACTION}),
    Status.TRIAGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.NO_ACTION}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.NO_ACTION}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.NO_ACTION: frozenset({Status.CLOSED, Status.TRIAGED}),
    Status.CLOSED: frozenset(),
}
INCIDENT_WORKFLOW = Workflow(states=Status, transitions=ALLOWED_TRANSITIONS, noun="incident")


class StepKind(models.TextChoices):
    # The ladder, in order.
    PLATFORM_REPORT = "platform_report", "Report to the platform"
    REMOVAL_REQUEST = "removal_request", "Ask the poster to remove it"
    HEADTEACHER_MEETING = "headteacher_meeting", "Meeting with the headteacher"
    WRITTEN_WARNING = "written_warning", "Written warning"
    POLICE_REFERRAL = "police_referral", "Refer to the police"
    LEGAL_ADVICE = "legal_advice", "Legal advice or action"
    # Side routes.
    SAFEGUARDING_REFERRAL = "safeguarding_referral", "Safeguarding referral"
    HOST_CONTACT = "host_contact", "Contact the host or provider"
    FORUM_RESTRICTION = "forum_restriction", "Restrict access to a school forum or group"
    PREMISES_BAN = "premises_ban", "Ban from the school premises"
    STAFF_DISCIPLINARY = "staff_disciplinary", "Staff disciplinary route"
    ANTI_BULLYING = "anti_bullying", "Pupil anti-bullying route"
    CLUSTER_ALERT = "cluster_alert", "Anonymised alert to the cluster's schools"
    UNDERAGE_REPORT = "underage_report", "Report an under-age account"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment for the member of staff"
    LADO_REFERRAL = "lado_referral", "Refer the allegation to the LADO"
    POSH_ESCALATION = "posh_escalation", "Escalate to POSH (Professionals Online Safety Helpline)"


class Outcome(models.TextChoices):
    """Every outcome a step can have. Which ones a kind of step offers is data in incidents/outcomes.py."""

    PENDING = "pending", "Waiting"
    SKIPPED = "skipped", "Skipped"
    # Only a cluster-alert step has it, set when its anonymised alert goes to the other schools.
    ALERT_SENT = "alert_sent", "Alert sent"
    # The platform, the host or the poster.
    REMOVED = "removed", "Removed"
    REFUSED = "refused", "Refused"
    NO_REPLY = "no_reply", "No reply"
    ACCOUNT_SUSPENDED = "suspended", "Account suspended"
    # A meeting.
    HELD = "held", "Held"
    DECLINED = "declined", "Declined"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    # A letter.
    SENT = "sent", "Sent"
    REMOVED_AFTER_WARNING = "warning_removed", "Removed after the warning"
    # The police.
    CRIME_RECORDED = "crime_recorded", "Crime reference given"
    ADVICE_GIVEN = "advice_given", "Advice given"
    INVESTIGATING = "investigating", "Investigating"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    # Legal advice or action.
    ADVICE_RECEIVED = "advice_received", "Advice received"
    LETTER_BEFORE_ACTION = "lba_sent", "Letter before action sent"
    # A safeguarding referral.
    ACCEPTED = "accepted", "Referral accepted"
    # The side routes the school carries out itself.
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Could not be done"
    # Before outcomes were per kind of step. Kept so the audit history of old steps still reads;
    # never offered, and migrated away on every current step (incidents migration 0014).
    COMPLIED = "complied", "Complied"
    NOT_COMPLIED = "not_complied", "Not complied"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class EntryKind(models.TextChoices):
    REPORTED = "reported", "Reported"
    EVIDENCE = "evidence", "Evidence added"
    TRIAGED = "triaged", "Triaged"
    STEP_ADDED = "step_added", "Step planned"
    STEP_OUTCOME = "step_outcome", "Step outcome"
    STEP_SKIPPED = "step_skipped", "Step skipped"
    STATUS = "status", "Status changed"
    NOTE = "note", "Note"
    ALERT = "alert", "Alert sent"
    LETTER = "letter", "Letter"
    RESTRICTED = "restricted", "Access restricted"
