"""A letter written with every fact known (logo, policy in force, signed agreement, a long post):
the PDF says each fact, fits one A4 page, and no word runs past the margins. PNGs of each kind
land in test-artifacts/letter-full-<kind>.png for a person to look at."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from agreements import actions as agreement_actions
from incidents.letters import actions
from incidents.letters.models import LetterKind
from incidents.letters.rendering import letter_pdf

from .builders import POST, make_case

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MM = 72 / 25.4
# letter-pdf.css: @page margin 14mm 20mm 16mm 22mm on A4 (595 x 842 points).
LEFT, RIGHT = 22 * MM, 595 - 20 * MM

LONG_POST = (
    POST + "\nThe teacher in Year 4 (Mr Ó Súilleabháin) said “it's fine” — it is NOT fine. "
    "#NorthbrookFail #SaveOurKids #ParentsUnite https://example.org/a-very-long-link-that-someone-pasted-"
    "without-any-spaces-at-all-so-it-cannot-wrap-by-itself-1234567890"
)


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 240), (29, 61, 92)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def full_case(cast):
    from policies import actions as policy_actions
    from policies.models import Category, Owner

    school = cast.school
    school.address = "Northbrook Primary School\nSchool Lane\nNorthbrook\nNB1 1AA"
    school.logo.save("crest.png", ContentFile(logo_png()), save=False)
    school.save()
    version = policy_actions.create_document(
        school=school,
        by=cast.headteacher,
        title="Parents' Use of Social Media Policy",
        category=Category.SOCIAL_MEDIA,
        owner=Owner.HEADTEACHER,
        review_interval_months=12,
        staff_must_acknowledge=False,
        body_markdown="Text",
        change_summary="New",
    )
    policy_actions.submit_for_approval(version)
    policy_actions.approve(version, by=cast.headteacher)
    agreement = agreement_actions.publish(
        agreement_actions.start_draft(
            school=school,
            by=cast.headteacher,
            title="Home-school agreement on social media",
            introduction="How we talk about the school online.",
            channels="The school office",
            will_commitments="Be kind",
            will_not_commitments="Post about other children",
        ),
        by=cast.headteacher,
    )
    incident, step = make_case(cast, content=LONG_POST)
    agreement_actions.sign_online(
        parent=incident.poster_parent,
        pupil=cast.other_child,
        version_id=agreement.pk,
        typed_name=incident.poster_parent.full_name,
        ticked={"read", "child", "acknowledge"},
        request_details=agreement_actions.RequestDetails("203.0.113.9", "TestBrowser"),
        send_copy=False,
    )
    step.meeting_at = timezone.now() + timedelta(days=3)
    step.save(update_fields=["meeting_at"])
    return incident, step


def word_boxes(pdf: Path) -> list[tuple[str, float, float]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return [
        (word, float(x_min), float(x_max))
        for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', html)
    ]


@pytest.mark.parametrize("kind", LetterKind.values)
def test_a_letter_with_every_fact_fits_one_page_and_says_them(cast, full_case, kind, tmp_path):
    incident, step = full_case
    letter = actions.create_letter(incident=incident, step=step, kind=kind, by=cast.headteacher)
    content = letter_pdf(letter)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(content)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())

    for fact in [
        "Siân O'Connor-Müller",
        "NB1 2ÉA",
        "Northbrook Primary School",
        incident.reference,
        "“Parents' Use of Social Media Policy”, version 1, approved on",
        "Mrs O'Brien-Nuñez",  # the quoted post, accents and apostrophes intact
    ]:
        assert fact in text, fact
    if kind != LetterKind.OUTCOME:
        assert "you signed the school's home-school agreement" in text
        assert "(version 1) online on" in text
    if kind in (LetterKind.REMOVAL_REQUEST, LetterKind.WRITTEN_WARNING):
        assert f"by {step.due_date.day} {step.due_date:%B %Y}" in text
    if kind != LetterKind.REMOVAL_REQUEST:
        assert "Alex Other" in text or "your child" not in text

    overflowing = [
        (word, x_min, x_max) for word, x_min, x_max in word_boxes(pdf) if x_min < LEFT - 1 or x_max > RIGHT + 1
    ]
    assert overflowing == []

    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / f"letter-full-{kind}")], check=True
    )


def test_the_letterhead_does_not_repeat_the_school_name(cast, full_case):
    from incidents.letters.rendering import letter_context

    incident, step = full_case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    assert letter_context(letter)["school_address_lines"] == ["School Lane", "Northbrook", "NB1 1AA"]


def test_the_agreement_sentence_is_written_to_the_parent(cast, case):
    from incidents.letters.facts import agreement_sentence

    incident, _ = case
    # No agreement published: nothing to say.
    assert agreement_sentence(incident.poster_parent, cast.other_child) == ""
    agreement_actions.publish(
        agreement_actions.start_draft(
            school=cast.school,
            by=cast.headteacher,
            title="Home-school agreement",
            introduction="x",
            channels="x",
            will_commitments="x",
            will_not_commitments="x",
        ),
        by=cast.headteacher,
    )
    assert (
        agreement_sentence(incident.poster_parent, cast.other_child)
        == "Our records show that you have not signed the school's home-school agreement."
    )


def test_renders_share_one_font_configuration_and_one_url_fetcher(cast, case, monkeypatch):
    import weasyprint

    from schoolsocial.lib import pdf

    seen = []
    original = weasyprint.HTML.__init__

    def spy(self, *args, **kwargs):
        seen.append(kwargs["url_fetcher"])
        original(self, *args, **kwargs)

    monkeypatch.setattr(pdf.HTML, "__init__", spy)
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    letter_pdf(letter)
    letter_pdf(letter)
    assert len(seen) == 2 and seen[0] is seen[1] is pdf.url_fetcher()
    assert isinstance(pdf.FONT_CONFIG, weasyprint.text.fonts.FontConfiguration)
