"""The school's agreement coverage for the dashboards, cached until something it counts changes.

Counting coverage reads every family of the school (about 100 ms at 50,000 families), and the
headteacher's, office's and governors' dashboards show it on every visit. It changes only when a
signature, a parent link, a pupil, a class, an account's active flag or the agreement changes:
agreements/signals.py (and the bulk writers: roll imports, the rollover, destruction) call
`forget()` then, and an incident saved, triaged or escalated leaves it alone. The coverage page,
the CSV and the termly report count afresh (queries.school_coverage), so what the headteacher
checks against is never a cached figure.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from accounts.models import School
from schoolsocial.lib import cache as generations

from . import queries
from .models import AgreementVersion

# A safety net only: every write that moves coverage forgets it at once.
CACHE_SECONDS = 15 * 60


def _generation_key(school_id: int) -> str:
    return f"agreements:coverage-generation:{school_id}"


def generation(school_id: int) -> int:
    """The school's coverage generation: it moves whenever `forget` is called, so a key that
    includes it (the dashboard's rendered coverage panels) is dropped with the coverage."""
    return generations.generation(_generation_key(school_id))


def forget(school_id: int | None) -> None:
    """Drop the school's cached coverage now (for a read later in this transaction) and again when
    the transaction commits (a request that counted before the commit cached the old figures)."""
    if school_id is None:
        return
    key = _generation_key(school_id)
    generations.bump(key)
    transaction.on_commit(lambda: generations.bump(key))


def school_coverage(
    school: School, version: AgreementVersion
) -> tuple[list[queries.ClassCoverage], queries.ClassCoverage]:
    """queries.school_coverage for the dashboards, from the cache when nothing counted has changed."""
    key = f"agreements:coverage:{school.pk}:{version.pk}:{generation(school.pk)}"
    found = cache.get(key)
    if found is None:
        found = queries.school_coverage(school, version)
        cache.set(key, found, CACHE_SECONDS)
    return found
