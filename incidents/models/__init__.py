from schoolsocial.lib.workflow import InvalidTransition

from .choices import (
    ALLOWED_TRANSITIONS,
    DISCRIMINATORY_NATURES,
    FINISHED_STATUSES,
    INCIDENT_WORKFLOW,
    Certainty,
    EntryKind,
    Nature,
    Outcome,
    PosterKind,
    Severity,
    Status,
    StepKind,
)
from .cluster import ANONYMOUS_SENDER, ClusterAlert
from .evidence import Evidence
from .figures import MonthlyFigures
from .incident import (
    Incident,
    IncidentNature,
    IncidentSequence,
    Platform,
    PlatformQuerySet,
    resolved_at_for,
    seconds_between,
)
from .platforms import SchoolPlatform
from .pupils import POSTER_ROLES, ROLE_NEEDS_POSTER_KIND, IncidentPupil, PupilRole
from .steps import EscalationStep, StepReminder, TimelineEntry

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ANONYMOUS_SENDER",
    "DISCRIMINATORY_NATURES",
    "FINISHED_STATUSES",
    "INCIDENT_WORKFLOW",
    "Certainty",
    "ClusterAlert",
    "EntryKind",
    "EscalationStep",
    "Evidence",
    "Incident",
    "MonthlyFigures",
    "IncidentNature",
    "IncidentPupil",
    "IncidentSequence",
    "InvalidTransition",
    "Nature",
    "Outcome",
    "Platform",
    "PlatformQuerySet",
    "POSTER_ROLES",
    "PosterKind",
    "PupilRole",
    "ROLE_NEEDS_POSTER_KIND",
    "SchoolPlatform",
    "Severity",
    "Status",
    "StepKind",
    "StepReminder",
    "TimelineEntry",
    "resolved_at_for",
    "seconds_between",
]
