"""Every retention rule has worked examples, and gives the dates they state."""

from datetime import date

import pytest

from dataprotection.models import RECORD_TYPE_CHOICES
from dataprotection.retention import RULES, add_years, latest_start


def test_every_rule_has_a_worked_example_and_a_reason():
    for rule in RULES.values():
        assert rule.examples, f"{rule.key} has no worked example"
        assert len(rule.reason) > 40 and rule.includes


@pytest.mark.parametrize(
    ("key", "example"), [(rule.key, example) for rule in RULES.values() for example in rule.examples]
)
def test_worked_example(key, example):
    assert RULES[key].review_on(example.facts, example.years) == example.review_on


def test_the_defaults_a_dpo_expects():
    assert RULES["safeguarding_incident"].default_years == 25
    assert RULES["safeguarding_incident"].period_label(25) == "25 years after the child's date of birth"
    assert RULES["incident"].default_years == RULES["complaint"].default_years == 6
    assert RULES["access_log"].default_years < RULES["incident"].default_years
    assert RULES["email"].default_years < RULES["incident"].default_years


def test_every_rule_is_a_record_type_the_models_know():
    assert [key for key, _ in RECORD_TYPE_CHOICES] == list(RULES)


def test_leap_days_and_the_latest_start():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert latest_start(date(2026, 3, 1), 6) == date(2020, 3, 1)


def test_a_safeguarding_case_is_never_reviewed_before_it_closes():
    rule = RULES["safeguarding_incident"]
    # Linked to an adult poster born long ago: reviewed when the case closes, not before.
    assert rule.review_on({"date_of_birth": date(1970, 1, 1), "closed_on": date(2024, 5, 1)}, 25) == date(2024, 5, 1)
