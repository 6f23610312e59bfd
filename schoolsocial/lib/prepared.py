"""Queries whose SQL the ORM writes once per process; each run only binds new values.

Every signed-in request asks the same few questions before the page does anything: the session,
the user, the verified device, the memberships. Their SQL never changes, yet writing it (building
the filter, resolving joins and columns, compiling) costs the ORM about ten times what the database
takes to answer. `PreparedQuery` has the ORM compile the queryset once, with marker values where
the arguments go, and afterwards executes that SQL with the real arguments and turns the rows into
instances with the ORM's own converters and populators, exactly as the queryset would.

Only plain equality on the arguments is allowed: an argument the ORM transforms (`icontains`, a
date lookup) would not appear as itself among the compiled parameters, and preparing it is refused.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# Inside every integer column's range (Django refuses an out-of-range lookup at compile time) and
# far above any id a school will reach; strings carry NULs, which no key or email contains.
_INT_MARKER = 1_987_654_000
_STR_MARKER = "\x00prepared-{}\x00"


class _Compiled:
    __slots__ = ("sql", "params", "slots", "compiler", "model", "init_list", "start", "end", "select")

    def __init__(self, queryset: QuerySet, markers: tuple[Any, ...], using: str) -> None:
        if queryset._iterable_class is not ModelIterable or queryset.query.annotation_select:
            raise ValueError("A prepared query returns plain model instances: no values() or annotations.")
        compiler = queryset.query.get_compiler(using=using)
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
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        self.sql = sql
        self.params = list(params)
        self.slots = slots
        self.compiler = compiler
        self.model = klass_info["model"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in compiler.select[self.start : self.end]]
        self.select = compiler.select


class PreparedQuery(Generic[M]):
    """`build(*args)` returns a queryset of the same shape whatever its arguments (ints or strings).

    Calling the prepared query with arguments returns the list the queryset would have.
    """

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        # One compiled form per database connection (a thread's own, a test database's own).
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _compiled_for(self, connection: Any, using: str, args: tuple[Any, ...]) -> _Compiled:
        compiled = self._compiled.get(connection)
        if compiled is None:
            markers = tuple(
                _STR_MARKER.format(i) if isinstance(arg, str) else _INT_MARKER + i for i, arg in enumerate(args)
            )
            compiled = _Compiled(self._build(*markers).using(using), markers, using)
            with self._lock:
                self._compiled[connection] = compiled
        return compiled

    def __call__(self, *args: int | str, using: str = "default") -> list[M]:
        for arg in args:
            if type(arg) is int:
                if not -(2**63) <= arg < 2**63:
                    return []  # as the ORM answers a lookup no column can match
            elif type(arg) is not str:
                raise TypeError("A prepared query takes ints and strings.")
        connection = connections[using]
        compiled = self._compiled_for(connection, using, args)
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = args[index]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        populators = get_related_populators(compiled.compiler.klass_info, compiled.select, using)
        model, init_list, start, end = compiled.model, compiled.init_list, compiled.start, compiled.end
        instances = []
        for row in compiled.compiler.results_iter([rows]):
            instance = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances
