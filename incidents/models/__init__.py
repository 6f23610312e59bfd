from .choices import (
    ALLOWED_TRANSITIONS,
    DISCRIMINATORY_NATURES,
    FINISHED_STATUSES,
    RECORDABLE_OUTCOMES,
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
from .evidence import CONTENT_TYPES, Evidence, StagedUpload
from .incident import (
    Incident,
    IncidentNature,
    IncidentSequence,
    InvalidTransition,
    Platform,
    PlatformQuerySet,
    can_transition,
    resolved_at_for,
)
from .platforms import SchoolPlatform
from .steps import EscalationStep, TimelineEntry

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ANONYMOUS_SENDER",
    "CONTENT_TYPES",
    "DISCRIMINATORY_NATURES",
    "FINISHED_STATUSES",
    "RECORDABLE_OUTCOMES",
    "Certainty",
    "ClusterAlert",
    "EntryKind",
    "EscalationStep",
    "Evidence",
    "Incident",
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
    "StagedUpload",
    "Status",
    "StepKind",
    "TimelineEntry",
    "can_transition",
    "resolved_at_for",
]
