from .choices import (
    ALLOWED_TRANSITIONS,
    DISCRIMINATORY_NATURES,
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
from .evidence import CONTENT_TYPES, Evidence, StagedUpload
from .incident import Incident, IncidentNature, IncidentSequence, InvalidTransition, Platform, can_transition
from .steps import EscalationStep, TimelineEntry

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CONTENT_TYPES",
    "DISCRIMINATORY_NATURES",
    "RECORDABLE_OUTCOMES",
    "Certainty",
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
    "PosterKind",
    "Severity",
    "StagedUpload",
    "Status",
    "StepKind",
    "TimelineEntry",
    "can_transition",
]
