"""Each rule of incidents.escalation, on plain data."""

from datetime import date

import pytest

from incidents import escalation
from incidents.escalation import Facts
from incidents.models import Nature, Outcome, PosterKind, StepKind


def steps_for(facts: Facts, done=frozenset()) -> list[StepKind]:
    return [s.step for s in escalation.suggest_steps(facts, done)]


@pytest.mark.parametrize(
    "nature", [Nature.THREAT, Nature.RACIST, Nature.SEXIST, Nature.HOMOPHOBIC, Nature.DISCRIMINATORY_OTHER]
)
def test_threats_and_discrimination_suggest_police_first_and_urgently(nature):
    suggestions = escalation.suggest_steps(Facts(natures=frozenset({nature})))
    assert suggestions[0].step == StepKind.POLICE_REFERRAL
    assert suggestions[0].urgent


def test_harassment_suggests_police():
    assert steps_for(Facts(harassment=True))[0] == StepKind.POLICE_REFERRAL


def test_two_reasons_for_police_are_merged_into_one_suggestion():
    suggestions = escalation.suggest_steps(Facts(natures=frozenset({Nature.THREAT, Nature.RACIST})))
    police = [s for s in suggestions if s.step == StepKind.POLICE_REFERRAL]
    assert len(police) == 1
    assert len(police[0].reasons) == 2


@pytest.mark.parametrize("flag", ["pupils_identifiable", "safeguarding_concern"])
def test_identifiable_pupils_or_safeguarding_alert_the_dsl_and_suggest_a_referral(flag):
    facts = Facts(**{flag: True})
    assert escalation.needs_dsl_alert(facts)
    assert StepKind.SAFEGUARDING_REFERRAL in steps_for(facts)


def test_no_dsl_alert_without_a_safeguarding_fact():
    assert not escalation.needs_dsl_alert(Facts(natures=frozenset({Nature.THREAT}), poster_kind=PosterKind.PUPIL))


def test_pupil_poster_routes_to_anti_bullying():
    assert StepKind.ANTI_BULLYING in steps_for(Facts(poster_kind=PosterKind.PUPIL))
    assert StepKind.ANTI_BULLYING not in steps_for(Facts(poster_kind=PosterKind.PARENT))


def test_staff_poster_routes_to_disciplinary():
    assert StepKind.STAFF_DISCIPLINARY in steps_for(Facts(poster_kind=PosterKind.STAFF))
    assert StepKind.STAFF_DISCIPLINARY in steps_for(Facts(natures=frozenset({Nature.STAFF_CONDUCT})))


def test_underage_account_suggests_the_report_with_the_minimum_age():
    facts = Facts(natures=frozenset({Nature.UNDERAGE}), platform_name="TikTok", platform_minimum_age=13)
    suggestion = next(s for s in escalation.suggest_steps(facts) if s.step == StepKind.UNDERAGE_REPORT)
    assert "TikTok requires account holders to be at least 13" in suggestion.detail


def test_images_without_consent_make_the_platform_report_urgent():
    suggestion = escalation.suggest_steps(Facts(natures=frozenset({Nature.IMAGES})))[0]
    assert suggestion.step == StepKind.PLATFORM_REPORT and suggestion.urgent


def test_defamation_suggests_legal_advice():
    assert StepKind.LEGAL_ADVICE in steps_for(Facts(natures=frozenset({Nature.DEFAMATORY})))


def test_plain_complaint_starts_at_the_bottom_of_the_ladder():
    assert steps_for(Facts(natures=frozenset({Nature.COMPLAINT}))) == [StepKind.PLATFORM_REPORT]


def test_ladder_climbs_one_rung_at_a_time():
    done = set()
    climbed = []
    while (rung := escalation.next_ladder_step(done)) is not None:
        climbed.append(rung)
        done.add(rung)
    assert climbed == list(escalation.LADDER)


def test_steps_already_considered_are_not_suggested_again():
    facts = Facts(natures=frozenset({Nature.THREAT}))
    assert StepKind.POLICE_REFERRAL not in steps_for(facts, {StepKind.POLICE_REFERRAL})
    assert steps_for(facts, {StepKind.POLICE_REFERRAL}) == [StepKind.PLATFORM_REPORT]


def test_every_rule_names_a_real_step_and_a_reason():
    for rule in escalation.RULES:
        assert rule.step in StepKind
        assert rule.reason.endswith(".")
        assert rule.natures or rule.flags or rule.poster
        assert all(hasattr(Facts(), flag) for flag in rule.flags)


def test_every_step_kind_has_a_default_due_time():
    assert set(escalation.DEFAULT_DUE_DAYS) == set(StepKind)
    assert escalation.default_due_date(StepKind.REMOVAL_REQUEST, date(2026, 3, 2)) == date(2026, 3, 9)


def test_earliest_due_ignores_finished_steps():
    steps = [
        (Outcome.REMOVED, date(2026, 1, 1)),
        (Outcome.PENDING, date(2026, 1, 9)),
        (Outcome.PENDING, date(2026, 1, 5)),
        (Outcome.SKIPPED, date(2026, 1, 2)),
        (Outcome.PENDING, None),
    ]
    assert escalation.earliest_due(steps) == date(2026, 1, 5)
    assert escalation.earliest_due([(Outcome.REMOVED, date(2026, 1, 1))]) is None


def test_overdue_means_waiting_and_past_its_date():
    today = date(2026, 2, 10)
    assert escalation.is_overdue(Outcome.PENDING, date(2026, 2, 9), today)
    assert not escalation.is_overdue(Outcome.PENDING, today, today)
    assert not escalation.is_overdue(Outcome.REMOVED, date(2026, 2, 1), today)
    assert not escalation.is_overdue(Outcome.PENDING, None, today)


# One example of the facts behind each rule. A rule added to escalation.RULES without an example
# here fails test_every_rule_has_an_example, so no rule goes untested.
RULE_EXAMPLES = {
    "threat": Facts(natures=frozenset({Nature.THREAT})),
    "discriminatory": Facts(natures=frozenset({Nature.HOMOPHOBIC})),
    "harassment": Facts(harassment=True),
    "safeguarding": Facts(pupils_identifiable=True),
    "images": Facts(natures=frozenset({Nature.IMAGES})),
    "underage": Facts(natures=frozenset({Nature.UNDERAGE})),
    "pupil-poster": Facts(poster_kind=PosterKind.PUPIL),
    "staff-poster": Facts(poster_kind=PosterKind.STAFF),
    "staff-conduct": Facts(natures=frozenset({Nature.STAFF_CONDUCT})),
    "defamatory": Facts(natures=frozenset({Nature.DEFAMATORY})),
    "staff-safety": Facts(natures=frozenset({Nature.THREAT}), targeted="Mrs Patel, Year 4 teacher"),
    "staff-risk-assessment": Facts(natures=frozenset({Nature.STAFF_PRIVATE})),
    "lado": Facts(staff_allegation_harm=True),
    "posh": Facts(platform_not_acted=True),
}


def test_every_rule_has_an_example():
    assert set(RULE_EXAMPLES) == {rule.name for rule in escalation.RULES}


@pytest.mark.parametrize("rule", escalation.RULES, ids=lambda rule: rule.name)
def test_each_rule_fires_on_its_facts_and_not_on_a_plain_complaint(rule):
    facts = RULE_EXAMPLES[rule.name]
    assert rule in escalation.matching_rules(facts)
    suggestion = next(s for s in escalation.suggest_steps(facts) if s.step == rule.step)
    assert rule.reason in suggestion.reasons and suggestion.urgent == rule.urgent
    assert escalation.needs_dsl_alert(facts) == rule.alert_dsl
    assert escalation.is_staff_safety(facts) == rule.staff_safety
    assert rule not in escalation.matching_rules(Facts(natures=frozenset({Nature.COMPLAINT})))


# Staff safety: worked examples from the post's own words.
THREATENING_POST = "I know where she lives… outside the gates Monday"


def test_the_threat_against_a_named_teacher_is_a_staff_safety_case_even_unticked():
    facts = Facts(natures=frozenset({Nature.OFFENSIVE_NAMED}), content=THREATENING_POST, targeted="Mrs Patel")
    assert escalation.is_staff_safety(facts)
    suggestions = escalation.suggest_steps(facts)
    assert [s.step for s in suggestions[:2]] == [StepKind.POLICE_REFERRAL, StepKind.RISK_ASSESSMENT]
    assert all(s.urgent for s in suggestions[:2])


def test_a_staff_surname_in_the_post_names_the_adult():
    facts = Facts(content="Patel had better watch her back", targeted="", staff_surnames=frozenset({"Patel", "Hughes"}))
    assert escalation.is_staff_safety(facts)
    assert not escalation.is_staff_safety(Facts(content="Patel had better watch her back"))


@pytest.mark.parametrize(
    "content",
    [
        "Her home address is 14 Elm Road, go and tell her what you think",
        "Her kids go to St Mary's, everyone should know what their mum is like",
        "Mr Jones lives on Acacia Avenue, number 12",
    ],
)
def test_posts_revealing_a_staff_members_home_or_family(content):
    facts = Facts(content=content, targeted="Mr Jones, the deputy head")
    assert facts.exposes_staff and escalation.is_staff_safety(facts)


@pytest.mark.parametrize(
    "content",
    [
        "That teacher in Otters class should be sacked, everyone knows what she did.",
        "Mrs Patel is useless and the head never answers emails. Still waiting for them to reply.",
        "The parking outside the gates is dangerous every morning and the head does nothing.",
        "Worst school in town. Mr Jones should be ashamed of how he runs it.",
    ],
)
def test_ordinary_criticism_of_staff_is_not_a_staff_safety_case(content):
    facts = Facts(natures=frozenset({Nature.COMPLAINT, Nature.OFFENSIVE_NAMED}), content=content, targeted="Mrs Patel")
    assert not escalation.is_staff_safety(facts)
    assert StepKind.RISK_ASSESSMENT not in steps_for(facts)


def test_a_threat_against_a_pupil_goes_to_the_police_but_is_not_staff_safety():
    facts = Facts(natures=frozenset({Nature.THREAT}), content="I'll hurt him", targeted="A boy in Year 6")
    assert not escalation.is_staff_safety(facts)
    assert steps_for(facts)[0] == StepKind.POLICE_REFERRAL


def test_the_stored_decision_stands_when_the_case_is_read_back():
    assert escalation.is_staff_safety(Facts(staff_safety=True))
    assert not escalation.is_staff_safety(Facts(staff_safety=False))
