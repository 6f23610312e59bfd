"""Queries whose SQL the ORM writes once per process; each run only binds new values.

Every signed-in request asks the same few questions before the page does anything (the session,
the user, the verified device, the memberships), and a case page asks the same ones about its
case. Their SQL never changes, yet writing it (building the filter, resolving joins and columns,
compiling) costs the ORM several times what SQLite takes to answer. `PreparedQuery` has the ORM
compile the queryset once per database connection, with marker values where the arguments go;
afterwards it evaluates a copy of that queryset whose compiler hands back the same SQL with the
real arguments. Everything after the SQL is the ORM's own: its iterables (models, `values()`,
`values_list()`), converters, `select_related` populators and `prefetch_related` (whose own
queries are written as usual).

Only plain equality on the arguments is allowed: an argument the ORM transforms (`icontains`, a
date lookup) would not appear as itself among the compiled parameters, and preparing it is refused.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Collection
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import QuerySet

T = TypeVar("T")

_INT64 = range(-(2**63), 2**63)
# Where each connection keeps its compiled queries: they live and die with it (a thread's own, a
# test database's own), and hold it in turn, which a weak mapping keyed on it could never free.
_STORE = "schoolsocial_prepared_queries"


def _markers(kinds: tuple[type, ...]) -> tuple[int | str, ...]:
    # Random, so that a builder that computes with its argument (pk + 1) or a constant that happens
    # to equal a marker shows up as two compilations that disagree. Ints stay inside every integer
    # column's range (Django refuses an out-of-range lookup at compile time); strings carry NULs,
    # which no key or email contains.
    values = random.sample(range(10**9, 2 * 10**9), len(kinds))
    return tuple(
        f"\x00prepared-{value}\x00" if kind is str else value for kind, value in zip(kinds, values, strict=True)
    )


def _refuse_queries(*args: Any) -> None:
    raise ValueError("A prepared query's builder must not read the database: what it read would be fixed.")


class _Compiled:
    """One queryset compiled with markers: its SQL, where each argument goes, and the compiler
    whose state (columns, joins, converters) every run reuses."""

    __slots__ = ("template", "compiler", "sql", "params", "slots", "converters", "kinds")

    def __init__(self, build: Callable[..., QuerySet], kinds: tuple[type, ...], using: str) -> None:
        first, second = (self._compile(build, _markers(kinds), using) for _ in range(2))
        (template, compiler, sql, params, slots), (_, _, other_sql, other_params, other_slots) = first, second
        bound_at, other_bound_at = {position for position, _ in slots}, {position for position, _ in other_slots}
        unbound = [value for position, value in enumerate(params) if position not in bound_at]
        other_unbound = [value for position, value in enumerate(other_params) if position not in other_bound_at]
        if sql != other_sql or slots != other_slots or unbound != other_unbound:
            raise ValueError("A prepared query's SQL must not depend on its arguments' values.")
        self.template = template
        self.kinds = kinds
        self.compiler = compiler
        self.sql = sql
        self.params = list(params)
        self.slots = slots
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])

    @staticmethod
    def _compile(build: Callable[..., QuerySet], markers: tuple[int | str, ...], using: str):
        with connections[using].execute_wrapper(_refuse_queries):
            template = build(*markers).using(using)
            compiler = template.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
        slots: list[tuple[int, int]] = []
        for position, value in enumerate(params):
            for index, marker in enumerate(markers):
                if type(value) is type(marker) and value == marker:
                    slots.append((position, index))
                elif isinstance(value, str) and isinstance(marker, str) and marker in value:
                    raise ValueError("A prepared query's argument must be compared as it is, not transformed.")
        if sorted({index for _, index in slots}) != list(range(len(markers))):
            raise ValueError("Every argument of a prepared query must appear in its SQL.")
        return template, compiler, sql, params, slots

    def bound(self, args: tuple[int | str, ...]) -> QuerySet:
        """A copy of the template whose compiler answers with the compiled SQL and these values.
        Evaluated at once and never handed out: a queryset chained from it would keep that SQL."""
        params = list(self.params)
        for position, index in self.slots:
            params[position] = args[index]
        bound_params = tuple(params)
        compiler = copy.copy(self.compiler)
        compiler.as_sql = lambda *args, **kwargs: (self.sql, bound_params)
        compiler.get_converters = lambda expressions: self.converters
        queryset = self.template._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


class PreparedQuery(Generic[T]):
    """`build(*args)` returns a queryset of the same shape whatever its arguments (ints or strings).

    Calling the prepared query with arguments returns the list the queryset would have. `build`
    runs when a connection first uses it, twice, with random markers for arguments; the two must
    compile to the same SQL, and `build` may not query. Anything else it puts in the query (the
    time, a setting, a role's list of abilities) would be fixed from then on: it must not vary.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, T]]) -> None:
        self._build = build

    def __call__(self, *args: int | str, using: str = "default") -> list[T]:
        kinds = tuple(type(arg) for arg in args)
        if any(kind not in (int, str) for kind in kinds):
            raise TypeError("A prepared query takes ints and strings.")
        if any(kind is int and arg not in _INT64 for kind, arg in zip(kinds, args, strict=True)):
            return list(self._build(*args).using(using))  # no column holds it: the ORM's own answer
        connection = connections[using]
        store = connection.__dict__.setdefault(_STORE, {})
        compiled = store.get(self)
        if compiled is None:
            compiled = store[self] = _Compiled(self._build, kinds, using)
        if kinds != compiled.kinds:
            raise TypeError("A prepared query takes the same kinds of argument every time.")
        return list(compiled.bound(args))


# A page of a list is 25 rows, a case has a handful of steps.
IDS_PREPARED_AT_MOST = 60


class PreparedIdsQuery(Generic[T]):
    """`build(*ids)` filters on `__in=ids`. The count of ids is part of the SQL, so a prepared query
    is kept for each count up to `at_most`; a longer list is written afresh by the ORM."""

    def __init__(self, build: Callable[..., QuerySet[Any, T]], at_most: int = IDS_PREPARED_AT_MOST) -> None:
        self._build = build
        self._at_most = at_most
        self._by_count: dict[int, PreparedQuery[T]] = {}

    def __call__(self, ids: Collection[int], using: str = "default") -> list[T]:
        if not ids:
            return []
        if len(ids) > self._at_most:
            return list(self._build(*ids).using(using))
        query = self._by_count.get(len(ids))
        if query is None:
            query = self._by_count[len(ids)] = PreparedQuery(self._build)
        return query(*ids, using=using)


def attach_related(instances: list[Any], related_name: str, rows: list[Any], queryset: QuerySet | None = None) -> None:
    """Hand each instance its rows of a reverse foreign key (`related_name`) as `prefetch_related`
    would: `instance.<related_name>.all()` lists them with no query, each row knows its owner, and
    anything else asked of the relation (`filter()`, `count()`) queries as usual.

    For a prefetch whose rows come from a prepared query: Django's own prefetch writes its SQL
    afresh every time. `queryset` is the prefetch's own (its order, its select_related), which the
    relation keeps for anything else asked of it, as `Prefetch(related_name, queryset)` does."""
    if not instances:
        return
    field = getattr(type(instances[0]), related_name).field  # the foreign key on the rows' model
    owners = {instance.pk: instance for instance in instances}
    by_owner: dict[Any, list[Any]] = {pk: [] for pk in owners}
    for row in rows:
        owner_pk = getattr(row, field.attname)
        field.set_cached_value(row, owners[owner_pk])
        by_owner[owner_pk].append(row)
    for instance in instances:
        manager = getattr(instance, related_name)
        # A copy each: the manager marks the queryset it is given with its instance.
        related = manager.get_queryset() if queryset is None else manager._apply_rel_filters(queryset._chain())  # type: ignore[attr-defined]
        related._result_cache = by_owner[instance.pk]
        related._prefetch_done = True
        if not hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache = {}
        instance._prefetched_objects_cache[field.remote_field.cache_name] = related
