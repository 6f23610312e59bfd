"""Searching the complaints list: the words of the complaint and its record, or its reference; the
words marked, the parent's text escaped; never another school's complaint."""

from django.urls import reverse

from complaints import actions

from .conftest import raise_complaint

LIST = reverse("complaints:list")


def refs(response) -> list[str]:
    return [c.reference for c in response.context["page"]]


def test_words_subject_notes_and_reference_are_searched(cast, client_for):
    lunches = raise_complaint(cast, subject="Lunchtime supervision", details="Nobody watched the dining hall.")
    trips = raise_complaint(cast, subject="School trips", details="The coach left without my son.")
    actions.add_note(complaint=trips, by=cast.headteacher, text="Rang the coach company on Friday.")
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST, {"q": "supervise dining"})) == [lunches.reference]
    assert refs(client.get(LIST, {"q": "company"})) == [trips.reference]
    assert refs(client.get(LIST, {"q": trips.reference.lower()})) == [trips.reference]
    assert refs(client.get(LIST, {"q": f"C{trips.pk}"})) == [trips.reference]
    assert refs(client.get(LIST, {"q": "supervision", "stage": "all"})) == [lunches.reference]


def test_another_schools_complaints_are_never_found(cast, client_for):
    actions.raise_complaint(
        school=cast.other_school,
        parent=cast.other_school_parent,
        pupil=None,
        subject="Zebra crossing",
        details="Cars go too fast.",
        desired_outcome="A lollipop person.",
        files=[],
    )
    mine = raise_complaint(cast, subject="Zebra crossing by the gate")
    assert refs(client_for(cast.headteacher).get(LIST, {"q": "zebra"})) == [mine.reference]


def test_matches_are_marked_and_the_text_is_escaped(cast, client_for):
    raise_complaint(cast, subject="<img src=x onerror=alert(1)> homework", details="Too much <b>homework</b> & stress.")
    page = client_for(cast.headteacher).get(LIST, {"q": "homework"}).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>homework</mark>" in page
    assert "Too much &lt;b&gt;<mark>homework</mark>&lt;/b&gt; &amp; stress." in page


def test_odd_input_is_never_a_500(cast, client_for):
    raise_complaint(cast)
    client = client_for(cast.headteacher)
    for text in ['"', "*", "NEAR(a b)", "%", "x" * 500, "C99999999999"]:
        assert client.get(LIST, {"q": text}).status_code == 200
