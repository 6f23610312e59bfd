"""Views never fetch case or family data themselves: they go through their app's access helper,
which checks the role (accounts.permissions) and the school and answers 404 for anything else.

The check reads every view module (`*/views.py`, `*/views/*.py`, at any depth) and fails on
`Model.objects...` (`.get(`, `.filter(`, `.select_related(`, any manager call) or
`get_object_or_404(Model, ...)` / `get_list_or_404(Model, ...)` for the models below. Related
managers of an object already fetched through a helper (`incident.steps`, `complaint.attachments`)
are fine: they cannot reach another school's rows.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]

# The models that hold case or family data, with what they hold.
CASE_MODELS: dict[str, str] = {
    # incidents
    "Incident": "the reported post, who posted it, the case",
    "IncidentNature": "what kind of harm a case is about",
    "Evidence": "screenshots of the post",
    "StagedUpload": "evidence files not yet attached to a report or complaint",
    "EscalationStep": "what the school did about a case, and its outcome",
    "TimelineEntry": "the case history, internal notes included",
    "ClusterAlert": "the alert and the incident it came from",
    # letters
    "Letter": "letters to a named family about a case",
    "LetterDelivery": "who a letter went to, and how",
    "EvidenceBundle": "the referral bundle with every file of a case",
    # complaints
    "Complaint": "a parent's complaint about their child",
    "ComplaintEntry": "the complaint's chronology and internal notes",
    "Attachment": "files a parent attached to a complaint",
    "ConflictDeclaration": "which governor may see which complaint",
    "PanelRecord": "the governors' panel decision and its letter",
    # agreements
    "Signature": "what a parent signed for which child, with IP address and user agent",
    "SignedCopy": "the signed agreement as a PDF",
    # accounts
    "Pupil": "children's names, classes and dates of birth",
    "ParentLink": "which adult is whose parent or carer",
    "Invitation": "a parent's name, email and children before they sign up",
    "Membership": "who holds which role where",
    # data protection
    "SubjectAccessRequest": "who asked for a copy of which pupil's or parent's data",
    "SarItem": "a copy of each record gathered for a subject access request, and the review of it",
    "SarRelease": "the answer to a subject access request: the released records and files",
    # notifications
    "Notification": "every email the portal sent, with its recipients and subject",
}

# (view module, model) -> why that view may fetch it directly. Keep it empty if you can.
ALLOWED: dict[tuple[str, str], str] = {}

FETCHERS = {"get_object_or_404", "get_list_or_404"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def view_modules() -> list[Path]:
    found = set()
    for pattern in ("**/views.py", "**/views/*.py"):
        for path in ROOT.glob(pattern):
            relative = path.relative_to(ROOT)
            if relative.parts[0] not in {".venv", "node_modules", "tests"}:
                found.add(path)
    return sorted(found)


def direct_fetches(source: str, case_models=frozenset(CASE_MODELS)) -> list[tuple[int, str]]:
    """(line, model) for each direct fetch of a case model, following `import X as Y` renames."""
    tree = ast.parse(source)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
    model = {local for local, original in names.items() if original in case_models} | (
        set(case_models) - set(names)  # a model defined or used in the module without an import
    )
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in model
        ):
            found.append((node.lineno, names.get(node.value.id, node.value.id)))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if called in FETCHERS and isinstance(first, ast.Name) and first.id in model:
                found.append((node.lineno, names.get(first.id, first.id)))
    return sorted(found)


def test_the_list_names_real_models():
    model_names = {model.__name__ for model in apps.get_models()}
    assert set(CASE_MODELS) - model_names == set()


def test_there_are_view_modules_to_check():
    modules = {str(path.relative_to(ROOT)) for path in view_modules()}
    assert {"incidents/views/cases.py", "complaints/views/handling.py", "agreements/views.py"} <= modules
    assert len(modules) >= 15


def test_no_view_fetches_case_or_family_data_except_through_an_access_helper():
    offences = []
    used_allowances = set()
    for path in view_modules():
        relative = str(path.relative_to(ROOT))
        for line, model in direct_fetches(path.read_text()):
            if (relative, model) in ALLOWED:
                used_allowances.add((relative, model))
                continue
            offences.append(f"{relative}:{line} fetches {model} ({CASE_MODELS[model]}) directly")
    assert offences == [], "Use the app's access helper instead:\n" + "\n".join(offences)
    assert set(ALLOWED) == used_allowances, "An allowance nothing needs any more: remove it"


def test_the_check_catches_each_way_of_fetching_directly():
    source = """
from django.shortcuts import get_object_or_404
from incidents.models import Incident, Platform
from complaints.models import Complaint as C
from agreements.models import Signature

def view(request, pk):
    Incident.objects.get(pk=pk)
    C.objects.filter(school=request.membership.school)
    get_object_or_404(Signature, pk=pk)
    Incident._default_manager.select_related("school").get(pk=pk)
    Platform.objects.get(pk=pk)          # not case data
    request.incident.steps.filter(pk=pk)  # a related manager: already scoped
"""
    assert direct_fetches(source) == [(8, "Incident"), (9, "Complaint"), (10, "Signature"), (11, "Incident")]
