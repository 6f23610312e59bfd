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
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import QuerySet

T = TypeVar("T")

# Inside every integer column's range (Django refuses an out-of-range lookup at compile time) and
# far above any id a school will reach; strings carry NULs, which no key or email contains.
_INT_MARKER = 1_987_654_000
_STR_MARKER = "\x00prepared-{}\x00"
_INT64 = range(-(2**63), 2**63)


class _Compiled:
    """One queryset compiled with markers: its SQL, where each argument goes, and the compiler
    whose state (columns, joins, converters) every run reuses."""

    __slots__ = ("template", "compiler", "sql", "params", "slots", "converters", "kinds")

    def __init__(self, template: QuerySet, markers: tuple[int | str, ...]) -> None:
        compiler = template.query.get_compiler(using=template.db)
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
        self.template = template
        self.kinds = tuple(type(marker) for marker in markers)
        self.compiler = compiler
        self.sql = sql
        self.params = list(params)
        self.slots = slots
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])

    def bound(self, args: tuple[int | str, ...]) -> QuerySet:
        params = list(self.params)
        for position, index in self.slots:
            params[position] = args[index]
        bound_params = tuple(params)
        compiler = copy.copy(self.compiler)
        compiler.as_sql = lambda *args, **kwargs: (self.sql, bound_params)
        compiler.get_converters = lambda expressions: self.converters
        queryset = self.template._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


class PreparedQuery(Generic[T]):
    """`build(*args)` returns a queryset of the same shape whatever its arguments (ints or strings).

    Calling the prepared query with arguments returns the list the queryset would have. `build`
    runs once per connection, with markers for arguments: anything else it puts in the query (the
    time, a setting, a role's list of abilities) is fixed from then on, so it must not vary.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, T]]) -> None:
        self._build = build
        # One compiled form per database connection (a thread's own, a test database's own).
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, *args: int | str, using: str = "default") -> list[T]:
        for arg in args:
            if type(arg) is int:
                if arg not in _INT64:
                    return []  # as the ORM answers a lookup no column can match
            elif type(arg) is not str:
                raise TypeError("A prepared query takes ints and strings.")
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            markers = tuple(
                _STR_MARKER.format(i) if isinstance(arg, str) else _INT_MARKER + i for i, arg in enumerate(args)
            )
            compiled = _Compiled(self._build(*markers).using(using), markers)
            with self._lock:
                self._compiled[connection] = compiled
        if tuple(type(arg) for arg in args) != compiled.kinds:
            raise TypeError("A prepared query takes the same kinds of argument every time.")
        return list(compiled.bound(args))


def attach_related(instances: list[Any], related_name: str, rows: list[Any]) -> None:
    """Hand each instance its rows of a reverse foreign key (`related_name`) as `prefetch_related`
    would: `instance.<related_name>.all()` lists them with no query, each row knows its owner, and
    anything else asked of the relation (`filter()`, `count()`) queries as usual.

    For a prefetch whose rows come from a prepared query: Django's own prefetch writes its SQL
    afresh every time."""
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
        related = getattr(instance, related_name).get_queryset()
        related._result_cache = by_owner[instance.pk]
        related._prefetch_done = True
        if not hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache = {}
        instance._prefetched_objects_cache[field.remote_field.cache_name] = related
