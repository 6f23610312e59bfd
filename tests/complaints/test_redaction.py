"""Children's names become "Pupil A", "Pupil B" in what the governors read."""

from complaints.redaction import pseudonym, pseudonyms_for, redact_names


def test_pseudonyms_are_stable_and_distinct():
    labels = pseudonyms_for([("Mia", "Parent"), ("Alex", "Other"), ("Mia", "Parent")])
    assert labels == {("Mia", "Parent"): "Pupil A", ("Alex", "Other"): "Pupil B"}
    assert pseudonym(26) == "Pupil AA"


def test_full_names_and_first_names_are_replaced_whatever_the_case():
    labels = pseudonyms_for([("Mia", "Parent"), ("Alex", "Other")])
    text = "MIA PARENT was upset. Alex said mia's photo was shared. Mr Parent called."
    assert redact_names(text, labels) == "Pupil A was upset. Pupil B said Pupil A's photo was shared. Mr Parent called."


def test_parts_of_other_words_are_left_alone():
    labels = pseudonyms_for([("Ann", "Lee")])
    assert redact_names("Annual review with Ann", labels) == "Annual review with Pupil A"


def test_nothing_to_replace():
    assert redact_names("Hello", {}) == "Hello"
    assert redact_names("", pseudonyms_for([("Mia", "X")])) == ""
