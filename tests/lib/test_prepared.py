"""A prepared query answers exactly what its queryset answers, for whatever arguments it is given."""

from __future__ import annotations

import pytest
from django.db.models import Q

from accounts.models import Membership, Role, User
from schoolsocial.lib.prepared import PreparedQuery
from tests.factories import make_school, make_user


def _fields(instance) -> dict:
    return {key: value for key, value in vars(instance).items() if key != "_state"}


@pytest.fixture
def people(db):
    north = make_school("NBP", "Northbrook Primary School")
    south = make_school("SVP", "Southvale Primary School")
    head = make_user(north, Role.HEADTEACHER, name="Aisha Head")
    Membership.objects.create(user=head, school=south, role=Role.GOVERNOR)
    Membership.objects.create(user=head, school=south, role=Role.STAFF, is_active=False)
    parent = make_user(south, Role.PARENT, name="Jo Parent")
    return head, parent


memberships_of = PreparedQuery(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id, is_active=True)
        .select_related("school")
        .order_by("school__name", "role")
    )
)


def test_the_rows_fields_and_related_objects_are_the_querysets_own(people, django_assert_num_queries):
    head, _ = people
    expected = list(
        Membership.objects.filter(user_id=head.pk, is_active=True)
        .select_related("school")
        .order_by("school__name", "role")
    )
    with django_assert_num_queries(1):
        found = memberships_of(head.pk)
        schools = [membership.school.name for membership in found]  # already read: no query
    assert [_fields(m) for m in found] == [_fields(m) for m in expected]
    assert schools == ["Northbrook Primary School", "Southvale Primary School"]
    assert all(not m._state.adding and m._state.db == "default" for m in found)


def test_each_call_binds_its_own_arguments(people):
    head, parent = people
    assert [m.role for m in memberships_of(head.pk)] == [Role.HEADTEACHER, Role.GOVERNOR]
    assert [m.role for m in memberships_of(parent.pk)] == [Role.PARENT]
    assert memberships_of(head.pk + parent.pk + 1000) == []
    # An id no column can hold is answered by the ORM itself (nothing), not bound into the SQL.
    assert PreparedQuery(lambda pk: User.objects.filter(pk=pk))(2**70) == []


def test_strings_are_bound_as_they_are_never_spliced_into_the_sql(people):
    by_email = PreparedQuery(lambda email: User.objects.filter(email=email))
    head, _ = people
    assert by_email(head.email) == [head]
    hostile = "x' OR '1'='1"
    assert by_email(hostile) == []
    assert User.objects.count() == 2


def test_deferred_fields_stay_deferred(people):
    head, _ = people
    names = PreparedQuery(lambda pk: User.objects.filter(pk=pk).only("full_name"))
    (found,) = names(head.pk)
    assert found.full_name == "Aisha Head"
    assert found.get_deferred_fields() >= {"email", "password"}


def test_what_it_cannot_prepare_is_refused_not_answered_wrongly(people):
    head, _ = people
    with pytest.raises(ValueError, match="not transformed"):
        PreparedQuery(lambda name: User.objects.filter(full_name__icontains=name))("Head")
    with pytest.raises(ValueError, match="must appear"):
        PreparedQuery(lambda pk: User.objects.filter(Q(pk__gt=0)))(head.pk)
    with pytest.raises(TypeError):
        memberships_of(None)
    memberships_of(head.pk)
    with pytest.raises(TypeError, match="same kinds"):
        memberships_of(str(head.pk))


def test_values_and_prefetches_are_the_querysets_own(people, django_assert_num_queries):
    head, parent = people
    emails = PreparedQuery(lambda pk: User.objects.filter(pk=pk).values_list("email", flat=True))
    rows = PreparedQuery(lambda pk: User.objects.filter(pk=pk).values("full_name", "is_active"))
    assert emails(parent.pk) == [parent.email]
    assert rows(head.pk) == [{"full_name": "Aisha Head", "is_active": True}]
    with_schools = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk).prefetch_related("memberships__school").order_by("pk")
    )
    with django_assert_num_queries(3):  # the person, then the prefetch's own two queries
        (found,) = with_schools(head.pk)
        schools = sorted(m.school.name for m in found.memberships.all())
    assert schools == ["Northbrook Primary School", "Southvale Primary School", "Southvale Primary School"]


def test_attached_rows_read_like_a_prefetch(people, django_assert_num_queries):
    from schoolsocial.lib.prepared import attach_related

    head, parent = people
    users = list(User.objects.filter(pk__in=[head.pk, parent.pk]).order_by("pk"))
    rows = memberships_of(head.pk)
    attach_related(users, "memberships", rows)
    with django_assert_num_queries(0):
        assert [m.pk for m in users[0].memberships.all()] == [m.pk for m in rows]
        assert list(users[1].memberships.all()) == []  # read: none of these rows are the parent's
        assert all(m.user is users[0] for m in users[0].memberships.all())
    # Anything else asked of the relation still asks the database, about the right person.
    with django_assert_num_queries(1):
        assert users[1].memberships.filter(role=Role.PARENT).count() == 1


def test_a_builder_whose_sql_depends_on_its_arguments_is_refused(people):
    head, _ = people
    with pytest.raises(ValueError, match="must appear"):
        PreparedQuery(lambda pk: User.objects.filter(pk=pk + 1))(head.pk)  # computes with the marker
    with pytest.raises(ValueError, match="must not depend"):
        PreparedQuery(lambda pk: User.objects.filter(pk=pk, pk__lt=pk * 3))(head.pk)


def test_a_builder_that_reads_the_database_is_refused(people):
    head, _ = people
    with pytest.raises(ValueError, match="must not read the database"):
        PreparedQuery(lambda pk: User.objects.filter(pk__in=list(User.objects.values_list("pk", flat=True))))(head.pk)


def test_rows_attached_keep_the_prefetchs_order_for_anything_else_asked(people, django_assert_num_queries):
    from schoolsocial.lib.prepared import attach_related

    head, _ = people
    (user,) = User.objects.filter(pk=head.pk)
    newest_first = Membership.objects.order_by("-pk")
    attach_related([user], "memberships", list(newest_first.filter(user=head)), newest_first)
    with django_assert_num_queries(0):
        cached = [m.pk for m in user.memberships.all()]
    assert cached == sorted(cached, reverse=True)
    # Anything else asked of the relation queries, in the prefetch's order (newest first).
    with django_assert_num_queries(1):
        assert [m.pk for m in user.memberships.exclude(pk=0)] == cached
