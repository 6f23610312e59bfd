"""The termly report for governors: anonymised figures, trends, policy review status, coverage."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from incidents.statistics import incident_figures

from .models import TermlyReport
from .statistics import complaint_figures


def term_start(today: date) -> date:
    """The first day of the current school term, roughly: autumn from September, spring from
    January, summer from April."""
    month = 9 if today.month >= 9 else 4 if today.month >= 4 else 1
    return date(today.year, month, 1)


def termly_context(report: TermlyReport) -> dict:
    from agreements.models import AgreementVersion
    from agreements.queries import school_coverage
    from policies.selectors import decorate, documents_for_list

    school = report.school
    figures = incident_figures(school, start=report.period_start, end=report.period_end)
    version = AgreementVersion.objects.current_for(school.pk)
    rows, total = school_coverage(school, version)
    return {
        "report": report,
        "school": school,
        "figures": figures,
        "complaints": complaint_figures(school, report.period_start, report.period_end),
        "policies": decorate(documents_for_list(school)),
        "coverage_rows": rows,
        "coverage_total": total,
        "agreement_version": version,
        "generated_on": timezone.localdate(),
    }
