"""Benchmark: rendering a written-warning letter to PDF with WeasyPrint.

    .venv/bin/python bench/letters.py [--runs 40] [--batch 100]

Renders the same letter the worker renders (template, fonts, static CSS, emoji in the quoted
post) from unsaved objects, so no database is needed, and prints:
- the median and p95 time of one warm render (target: median under 250 ms);
- the time to render a batch of letters one after another, as one worker would (target: 100
  letters under 20 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from accounts.models import School  # noqa: E402
from incidents.letters.models import Letter, LetterKind, LetterStatus  # noqa: E402
from incidents.letters.rendering import letter_pdf  # noqa: E402
from incidents.letters.wording import DEFAULT_WORDING, fill  # noqa: E402
from incidents.models import Incident  # noqa: E402

POST = (
    "Don't trust Mrs O'Brien-Nuñez at Northbrook 😡 she's a disgrace & the head does NOTHING. "
    "Everyone should pull their kids out before it's too late!!! 🙄👎"
)


def make_letter(number: int) -> Letter:
    school = School(
        name="Northbrook Primary School",
        short_code="NBP",
        address="1 High Street\nTownley\nTL1 1AA",
        phone="01234 567890",
        email="office@northbrook.example",
        headteacher_name="Aisha Rahman",
    )
    incident = Incident(school=school, reference=f"NBP-2026-{number:04d}")
    facts = {
        "recipient_name": "Siân O'Connor-Müller",
        "child_name": "Alex O'Connor-Müller",
        "school_name": school.name,
        "platform": "Facebook (Northbrook Parents' Chat)",
        "posted_on": "19 November 2026",
        "posted_at_text": "19 November 2026 at 21:25",
        "remove_by": "29 November 2026",
        "incident_reference": incident.reference,
        "policy_sentence": "The school's policy in force is “Parents' Social Media Policy”, version 3, approved on 1 September 2026.",
        "agreement_sentence": (
            "Our records show that you signed the school's home-school agreement "
            "“Home-school agreement on social media” (version 2) online on 4 September 2026."
        ),
        "post_urls": ["https://www.facebook.com/groups/northbrook-parents/posts/1234567890123456789"],
    }
    subject, body = DEFAULT_WORDING[LetterKind.WRITTEN_WARNING]
    return Letter(
        school=school,
        incident=incident,
        kind=LetterKind.WRITTEN_WARNING,
        status=LetterStatus.FINAL,
        recipient_name=facts["recipient_name"],
        recipient_address="12 Mill Lane\nNorthbrook\nNB1 2EA",
        letter_date=date(2026, 11, 22),
        subject=fill(subject, facts),
        body=fill(body, facts),
        quoted_post=POST,
        facts=facts,
        signatory_name=school.headteacher_name,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    letter = make_letter(1)
    for _ in range(3):  # warm: fonts, templates, CSS
        letter_pdf(letter)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        letter_pdf(letter)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    print(f"one written-warning letter, warm: median {median:.0f} ms, p95 {p95:.0f} ms (target median < 250 ms)")

    letters = [make_letter(number) for number in range(1, args.batch + 1)]
    started = time.perf_counter()
    for item in letters:
        letter_pdf(item)
    batch = time.perf_counter() - started
    print(f"batch of {args.batch} letters: {batch:.1f} s (target 100 letters < 20 s)")
    if median >= 250 or (args.batch >= 100 and batch * 100 / args.batch >= 20):
        sys.exit("letters benchmark: target missed")


if __name__ == "__main__":
    main()
