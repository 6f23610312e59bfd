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
    "IncidentSequence",
    "InvalidTransition",
    "Nature",
    "Outcome",
    "Platform",
    "PlatformQuerySet",
    "PosterKind",
    "SchoolPlatform",
    "Severity",
    "Status",
    "StepKind",
    "StepReminder",
    "TimelineEntry",
    "resolved_at_for",
    "seconds_between",
]
