"""The one table of who may do what, checked against the same table written out by hand.

A change to `accounts/permissions.py` changes who sees children's data. This test fails until
EXPECTED below is changed too, so every such change is made twice, on purpose, and shows up in
review as a line of this grid. "x" means the role may; "." means it may not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.http import Http404

from accounts.models import Membership, Role
from accounts.permissions import PERMISSIONS, matrix, may, require, roles_with

EXPECTED = """
                                      headteacher dsl         staff       governor    office      dpo         parent
incidents.report                      x           x           x           .           x           .           x
incidents.view_all                    x           x           .           .           .           .           .
incidents.triage                      x           x           .           .           .           .           .
incidents.escalate                    x           x           .           .           .           .           .
incidents.own_cases                   x           x           .           .           .           .           .
incidents.view_platforms              x           x           .           .           .           .           .
incidents.manage_platforms            x           .           .           .           .           .           .
incidents.cluster_alerts              x           x           .           .           .           .           .
incidents.statistics                  x           .           .           x           .           .           .
letters.draft                         x           x           .           .           .           .           .
letters.finalise                      x           .           .           .           .           .           .
letters.email                         x           .           .           .           .           .           .
letters.edit_wording                  x           .           .           .           .           .           .
complaints.raise                      .           .           .           .           .           .           x
complaints.manage                     x           .           .           .           .           .           .
complaints.handle_informal            x           x           x           .           .           .           .
complaints.panel                      .           .           .           x           .           .           .
complaints.termly_reports             x           .           .           x           .           .           .
policies.read                         x           x           x           x           .           .           .
policies.read_published               x           x           x           x           x           x           x
policies.oversee                      x           .           .           x           .           .           .
policies.manage                       x           .           .           .           .           .           .
policies.acknowledge                  .           x           x           .           .           .           .
policies.approve_headteacher_owned    x           .           .           .           .           .           .
policies.approve_governing_body_owned .           .           .           x           .           .           .
agreements.sign                       .           .           .           .           .           .           x
agreements.view_signatures            x           .           .           .           x           .           .
agreements.record_paper               x           .           .           .           x           .           .
agreements.manage_versions            x           .           .           .           .           .           .
records.view_pupils                   x           x           .           .           x           .           .
records.pupil_case_history            x           x           .           .           .           .           .
records.manage_pupils                 x           .           .           .           x           .           .
records.invite_parents                x           .           .           .           x           .           .
records.import_roll                   x           .           .           .           x           .           .
records.roll_over                     x           .           .           .           x           .           .
people.school_sign_in                 x           .           .           .           .           .           .
people.manage_staff                   x           .           .           .           x           .           .
notifications.view_delivery           x           .           .           .           x           .           .
notifications.see_case_subjects       x           .           .           .           .           .           .
dataprotection.audit                  .           .           .           .           .           x           .
dataprotection.retention              x           .           .           .           .           x           .
dataprotection.requests               x           .           .           .           .           x           .
dataprotection.privacy_notice         x           .           .           .           .           x           .
"""

ROOT = Path(__file__).resolve().parents[2]
ASKING = {"may", "require", "requires", "roles_with", "schools_where"}


def test_the_table_is_exactly_the_hand_written_matrix():
    assert matrix() == EXPECTED.strip("\n"), "\n" + matrix()


def test_every_ability_says_what_it_allows_in_plain_words():
    for name, ability in PERMISSIONS.items():
        assert ability.roles, name
        assert ability.meaning[0].isupper() and not ability.meaning.endswith("."), name


def abilities_named_in_code() -> dict[str, list[str]]:
    """Every ability the code asks about: string arguments of may/require/requires/roles_with/
    schools_where, and the abilities `Owner.approval_ability` names."""
    found: dict[str, list[str]] = {}
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "node_modules", "tests"} or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called in ASKING:
                    name = next(
                        (a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None
                    )
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
                value = node.value.value
                if isinstance(value, str) and value.startswith("policies.approve_"):
                    name = value
            if name is not None:
                found.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    return found


def test_the_code_asks_only_about_abilities_in_the_table():
    unknown = {name: where for name, where in abilities_named_in_code().items() if name not in PERMISSIONS}
    assert unknown == {}


def test_every_ability_in_the_table_is_asked_about_somewhere():
    unused = set(PERMISSIONS) - set(abilities_named_in_code())
    assert unused == set()


def test_a_misspelt_ability_fails_loudly_instead_of_denying_quietly():
    with pytest.raises(KeyError):
        roles_with("incidents.veiw_all")


@pytest.mark.django_db
def test_no_membership_or_a_deactivated_one_may_do_nothing(cast):
    membership = Membership.objects.get(user=cast.headteacher, school=cast.school)
    assert may(membership, "letters.finalise")
    assert require(membership, "letters.finalise") == cast.school
    membership.is_active = False
    assert not any(may(membership, name) for name in PERMISSIONS)
    assert not any(may(None, name) for name in PERMISSIONS)
    with pytest.raises(Http404):
        require(membership, "letters.finalise")
    with pytest.raises(Http404):
        require(None, "incidents.report")


def test_only_the_roles_two_factor_protects_may_open_case_files_or_family_records():
    protected = {role for role in Role if role.requires_two_factor}
    for name in ("incidents.view_all", "records.view_pupils", "records.manage_pupils", "agreements.view_signatures"):
        assert roles_with(name) <= protected, name
