"""Every kind of letter fits one A4 page; PNGs land in test-artifacts/ for a person to look at."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from incidents.letters import actions
from incidents.letters.models import LetterKind
from incidents.letters.rendering import letter_pdf

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("kind", LetterKind.values)
def test_each_letter_is_one_a4_page(cast, case, kind, tmp_path):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=kind, by=cast.headteacher)
    content = letter_pdf(letter)
    reader = PdfReader(__import__("io").BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(content)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(ARTIFACTS / f"letter-{kind}")], check=True
    )
    assert (ARTIFACTS / f"letter-{kind}.png").stat().st_size > 10_000
