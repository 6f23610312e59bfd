import threading

import pytest
from django.db import connection

from policies import actions
from policies.models import InvalidTransition, PolicyVersion, Status

from .helpers import approved_policy, make_policy

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database locks whole tables across threads (and serialises writers anyway); "
    "this runs on PostgreSQL in make test. The one-current-version index is tested on SQLite in test_lifecycle.",
)


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    outcomes = []

    def run(function):
        try:
            barrier.wait(timeout=10)
            outcomes.append(function())
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_of_two_versions_leave_exactly_one_current(cast):
    first = approved_policy(cast.school, cast.headteacher)
    # Two versions awaiting approval at once (made directly: the portal only opens one draft at a time).
    a = PolicyVersion.objects.create(document=first.document, body_markdown="A", change_summary="A")
    b = PolicyVersion.objects.create(document=first.document, body_markdown="B", change_summary="B")
    for version in (a, b):
        actions.submit_for_approval(version)
    outcomes = run_together(
        lambda: actions.approve(a, by=cast.headteacher), lambda: actions.approve(b, by=cast.headteacher)
    )
    assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
    statuses = dict(PolicyVersion.objects.filter(document=first.document).values_list("number", "status"))
    assert list(statuses.values()).count(Status.APPROVED) == 1
    assert list(statuses.values()).count(Status.SUPERSEDED) == 2


@pytest.mark.django_db(transaction=True)
def test_approving_the_same_version_twice_at_once_approves_it_once(cast):
    version = make_policy(cast.school, cast.headteacher)
    actions.submit_for_approval(version)
    outcomes = run_together(*[lambda: actions.approve(version, by=cast.headteacher)] * 3)
    assert sum(isinstance(outcome, PolicyVersion) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, InvalidTransition) for outcome in outcomes) == 2
    assert PolicyVersion.objects.get(pk=version.pk).status == Status.APPROVED
