"""The layers keep their import direction, and no module grows past what a reader can hold.

- schoolsocial/lib is pure plumbing: it imports no app of the project;
- the dashboard reads every app, and no app imports it;
- demo data is installed only in development: no app imports demo/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "accounts",
    "incidents",
    "complaints",
    "policies",
    "agreements",
    "notifications",
    "files",
    "dashboard",
    "demo",
    "dataprotection",
}
SKIP_DIRS = {".venv", "node_modules", "migrations", ".git", "staticfiles", "var", "__pycache__"}
MAX_LINES = 800


def project_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts) and path.relative_to(ROOT).parts[0] != "tests"
    ]


def imported_apps(path: Path) -> set[str]:
    """The project's apps a module imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & APPS


def area(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def test_the_checks_see_the_project():
    areas = {area(path) for path in project_modules()}
    assert areas >= APPS and "schoolsocial" in areas


def test_schoolsocial_lib_imports_no_app():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path))
        for path in (ROOT / "schoolsocial" / "lib").rglob("*.py")
        if imported_apps(path)
    }
    assert offenders == {}


@pytest.mark.parametrize("layer", ["dashboard", "demo"])
def test_no_app_imports_the_dashboard_or_the_demo(layer):
    # The URL configuration mounts the dashboard; bench scripts may build demo data.
    allowed = {"dashboard": {"dashboard", "schoolsocial"}, "demo": {"demo", "bench"}}[layer]
    offenders = sorted(
        str(path.relative_to(ROOT))
        for path in project_modules()
        if area(path) not in allowed and layer in imported_apps(path)
    )
    assert offenders == []


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in project_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_check_catches_an_app_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("import os\nfrom accounts.models import User\n\ndef f():\n    from dashboard import views\n")
    assert imported_apps(module) == {"accounts", "dashboard"}
