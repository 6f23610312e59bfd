"""Full-text search over one table, the same from the caller's side on PostgreSQL and SQLite.

An app describes what is searched (`TextIndex`: the table, its text columns with a weight, and
optionally a child table whose `body` rows count as the record's notes), creates the index in a
migration with `install` / `uninstall`, and asks `search(queryset, index, text)` for the matching
rows, each annotated with `search_rank` (higher is better), or `find` for a list page. Ranking is
bounded: when more than RANK_AT_MOST rows match (a common word), `find` pages through them newest
first instead and says so, so a search costs about the same at 1,000 and 100,000 rows.
`highlight` marks the words in a piece of text for the page.

How the index is kept, per database (nothing of it is declared on the model, so one model serves
both and `makemigrations` never sees it):

- PostgreSQL: a stored generated `tsvector` column (`search_vector`, English stemming, weights A-D;
  angle brackets read as spaces, as posts are plain text and PostgreSQL's parser would otherwise
  drop anything that looks like an HTML tag) with a GIN index, and `pg_trgm` GIN indexes on the `trigram` columns so part of a handle or of a
  reference matches too. The notes are copied into a `search_notes` column by a trigger on the
  child table (a generated column may only read its own row); Django never writes either column,
  so a save from a stale instance cannot overwrite them.
- SQLite: an FTS5 table (`<table>_fts`, Porter stemming, prefix indexes) holding the same columns
  and the notes, kept in step by triggers on both tables, so bulk inserts, raw updates and raw deletes (record
  destruction) keep it right too. SQLite drops a table's triggers when Django rebuilds the table
  for a later migration: such a migration must call `install` again (tests/incidents/test_search.py
  fails if the triggers are missing).

The generated SQL is part of the migrations that call it: change it only with a new migration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_WORDS = 8
WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}  # FTS5's bm25 column weights; PostgreSQL's are its own


@dataclass(frozen=True)
class TextIndex:
    table: str
    columns: tuple[tuple[str, str], ...]  # (column, weight "A".."D"), most telling first
    notes_table: str = ""  # child rows whose non-empty `body` is searched with the record
    notes_key: str = ""  # the child table's column pointing at `table`
    trigram: tuple[str, ...] = ()  # PostgreSQL: columns also matched on any part of their text
    # SQLite: FTS5 prefix indexes of these lengths. Every word is searched as a prefix ("group"*),
    # and without an index of its length FTS5 merges the whole doclist of every term starting with
    # it before returning the first row (7 ms for "NBP-2026" at 100,000 incidents, 0.2 with one).
    prefixes: tuple[int, ...] = ()

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @property
    def searched(self) -> list[tuple[str, str]]:
        return [*self.columns, *([("search_notes", "D")] if self.notes_table else [])]


PREFIX_LENGTHS = (2, 3, 4, 5, 6)  # a longer word is a whole word, or shares its start with few terms


def words(text: str) -> list[str]:
    """The words of a search, lower-cased, at most MAX_WORDS (punctuation is never query syntax)."""
    return re.findall(r"\w+", (text or "").lower())[:MAX_WORDS]


RANK_AT_MOST = 100  # more matches than this: newest first, unranked (ranking all would grow with the school)


class NewestMatches:
    """SQLite, too many matches to rank: the matches newest recorded first, fetched a slice at a
    time. The FTS5 table streams its matches in rowid order (the order incidents were recorded),
    and each is checked against the queryset's filters by primary key until the slice is full, so a
    page reads a page's worth of matches at any size. (Walking the list's own index instead would
    need every match of the word gathered first: a third of the school for a common word.)"""

    def __init__(self, queryset: QuerySet, index: TextIndex, match: str) -> None:
        self.queryset, self.index, self.match = queryset, index, match

    def ids(self, limit: int, offset: int = 0) -> list[int]:
        from django.db import connections

        table, fts = self.index.table, self.index.fts
        inner = self.queryset.order_by().extra(where=[f'"{table}"."id" = "{fts}".rowid']).values("pk")
        sql, params = inner.query.sql_with_params()
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(
                f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s AND EXISTS ({sql}) '
                "ORDER BY rowid DESC LIMIT %s OFFSET %s",
                [self.match, *params, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def __getitem__(self, part: slice) -> list:
        start = part.start or 0
        limit = -1 if part.stop is None else max(part.stop - start, 0)
        ids = self.ids(limit, start)
        # No ORDER BY: sorted here, so the database looks the rows up by key instead of walking the
        # list's index in its order.
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self):
        return iter(self[0:None])


@dataclass(frozen=True)
class Found:
    """What a search found: the rows to page through, and whether there were too many to rank."""

    rows: QuerySet | NewestMatches  # sliced by the pager
    many: bool  # more than RANK_AT_MOST matches: newest first, not ranked


def search(queryset: QuerySet, index: TextIndex, text: str) -> QuerySet:
    """The rows of `queryset` matching every word of `text` (each word also as the start of a longer
    one), best first when there are at most RANK_AT_MOST of them (annotated with `search_rank`),
    otherwise in the queryset's own order. No words: no rows. (`find` pages faster through many.)"""
    found = words(text)
    if not found:
        return queryset.none()
    if _too_many(queryset, index, text, found, RANK_AT_MOST):
        return _matching(queryset, index, text, found, many=True)
    return _ranked(queryset, index, text, found)


def find(queryset: QuerySet, index: TextIndex, text: str, *, rank_at_most: int | None = None) -> Found:
    """`search` for a list page, saying whether the matches were too many to rank.

    Ranking needs every match scored before the first page can be shown, and a common word matches
    a third of a school's incidents: at 100,000 incidents that is 33,000 rows read and sorted for
    a page of 25. So one bounded probe first reads at most `rank_at_most` + 1 matches; when there
    are no more than that, they are ranked (a bounded sort); when there are more, the matches come
    newest first a page at a time (PostgreSQL: the queryset's own order, off the list's index;
    SQLite: newest recorded first, off the FTS5 table, see NewestMatches), and the page says so."""
    found = words(text)
    if not found:
        return Found(queryset.none(), False)
    if not _too_many(queryset, index, text, found, RANK_AT_MOST if rank_at_most is None else rank_at_most):
        return Found(_ranked(queryset, index, text, found), False)
    if _vendor(queryset) == "postgresql":
        return Found(_matching(queryset, index, text, found, many=True), True)
    return Found(NewestMatches(queryset, index, _sqlite_match(found)), True)


def _too_many(queryset: QuerySet, index: TextIndex, text: str, found: list[str], at_most: int) -> bool:
    """Whether more than `at_most` rows match, reading at most `at_most` + 1 matches."""
    if _vendor(queryset) == "postgresql":
        return _too_many_postgresql(_matching(queryset, index, text, found), at_most)
    return len(NewestMatches(queryset, index, _sqlite_match(found)).ids(at_most + 1)) > at_most


# Above this many matches (PostgreSQL's own estimate), reading the school newest first finds
# enough of them at once; below it, the text index finds them all sooner.
SELECTIVE_BELOW = 5_000


def _too_many_postgresql(matching: QuerySet, at_most: int) -> bool:
    """Whether more than `at_most` rows match, on PostgreSQL, in whichever way is quick for this word.

    Behind a plain LIMIT, PostgreSQL reads the school in order until it has enough matches: quick for
    a common word, but for a rare one that is every row of the school. Planned on its own (a
    MATERIALIZED CTE) the match uses the text index: quick for a rare word, but for a common one it
    first gathers every match. The planner's estimate of the matches (one EXPLAIN, no rows read)
    chooses; both give the same answer."""
    probe = matching.order_by().values_list("pk", flat=True)
    sql, params = probe.query.sql_with_params()
    with connections[matching.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
        estimated = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]["Plan Rows"]
        if estimated >= SELECTIVE_BELOW:
            cursor.execute(f"{sql} LIMIT %s", [*params, at_most + 1])
        else:
            cursor.execute(
                f"WITH matches AS MATERIALIZED ({sql}) SELECT 1 FROM matches LIMIT %s", [*params, at_most + 1]
            )
        return len(cursor.fetchall()) > at_most


SEARCH_MARK = "to_tsquery("  # in every PostgreSQL search statement this module writes


def plan_each_time(execute, sql, params, many, context):
    """Run a search statement unprepared, so PostgreSQL plans it for the words asked.

    psycopg prepares a statement after a few runs (settings.py, DB_PREPARED_STATEMENTS) and
    PostgreSQL may then keep one generic plan for any word. For a search that plan cannot know
    whether the word is common: in a database of 500,000 incidents the generic plan of the "how
    many match" probe took the text index and gathered every school's matches of a common word
    (40 ms), where the plan for the word reads the school newest first (0.6 ms)."""
    if SEARCH_MARK not in sql:
        return execute(sql, params, many, context)
    raw = context["connection"].connection
    kept = getattr(raw, "prepare_threshold", None)
    if kept is None:
        return execute(sql, params, many, context)
    raw.prepare_threshold = None
    try:
        return execute(sql, params, many, context)
    finally:
        raw.prepare_threshold = kept


def guard_search_plans(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: every PostgreSQL connection runs searches unprepared."""
    if connection.vendor == "postgresql" and plan_each_time not in connection.execute_wrappers:
        connection.execute_wrappers.append(plan_each_time)


def _vendor(queryset: QuerySet) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


def _postgresql_where(index: TextIndex, text: str, found: list[str]) -> tuple[str, list[str], str]:
    table = index.table
    query = " & ".join(f"{word}:*" for word in found)
    where = [f'"{table}"."search_vector" @@ to_tsquery(\'english\', %s)']
    params: list[str] = [query]
    part = text.strip()
    if len(part) >= 3:  # a trigram index needs three characters to narrow anything
        pattern = "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for column in index.trigram:
            where.append(f'"{table}"."{column}" ILIKE %s')
            params.append(pattern)
    return "(" + " OR ".join(where) + ")", params, query


def _sqlite_match(found: list[str]) -> str:
    return " ".join('"' + word.replace('"', '""') + '"*' for word in found)


def _matching(queryset: QuerySet, index: TextIndex, text: str, found: list[str], *, many: bool = False) -> QuerySet:
    """The matching rows, in the queryset's own order, nothing scored. `many`: known to be more
    than RANK_AT_MOST, so read in the queryset's order and tested row by row (PostgreSQL)."""
    if _vendor(queryset) == "postgresql":
        where, params, _ = _postgresql_where(index, text, found)
        if many:
            # The planner assumes a school's rows and a pattern match independently rare: for a
            # part of the school's own reference ("NBP-2026", every row) it expects one row, takes
            # the text indexes and nested loops, and reads all 5,000 matches (0.5 s). Behind CASE
            # the condition is opaque to the indexes and its estimate: the list's own index is
            # read newest first until the page is full.
            where = f"(CASE WHEN {where} THEN true ELSE false END)"
        return queryset.extra(where=[where], params=params)
    return queryset.extra(
        where=[f'"{index.table}"."id" IN (SELECT rowid FROM "{index.fts}" WHERE "{index.fts}" MATCH %s)'],
        params=[_sqlite_match(found)],
    )


def _ranked(queryset: QuerySet, index: TextIndex, text: str, found: list[str]) -> QuerySet:
    order = [*(queryset.query.order_by or queryset.model._meta.ordering)]
    if _vendor(queryset) == "postgresql":
        where, params, query = _postgresql_where(index, text, found)
        return queryset.extra(
            select={"search_rank": f'ts_rank("{index.table}"."search_vector", to_tsquery(\'english\', %s))'},
            select_params=[query],
            where=[where],
            params=params,
        ).order_by("-search_rank", *order)
    fts = index.fts
    weights = ", ".join(str(WEIGHTS[weight]) for _, weight in index.searched)
    return queryset.extra(
        select={"search_rank": f'-bm25("{fts}", {weights})'},
        tables=[fts],
        where=[f'"{fts}".rowid = "{index.table}"."id"', f'"{fts}" MATCH %s'],
        params=[_sqlite_match(found)],
    ).order_by("-search_rank", *order)


# --- Highlighting --------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A rough stem, so "bullying" also marks "bullied" (the index itself stems properly)."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith("y") and len(word) >= 5:
        word = word[:-1]
    return word


def _pattern(found: Iterable[str]) -> re.Pattern[str] | None:
    stems = sorted({_stem(word) for word in found if word}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.IGNORECASE)


def highlight(text: str, found: Iterable[str], *, around: int | None = None) -> SafeString:
    """`text` escaped, with each word that starts like a searched word wrapped in <mark>.

    The text is cut into matched and unmatched pieces first and every piece is escaped on its own,
    so a search for "amp" or "lt" can never reach inside an escaped entity, and nothing the user
    wrote is ever output unescaped. With `around`, only a window of about that many characters
    round the first match is kept (with an ellipsis where text was cut)."""
    text = text or ""
    pattern = _pattern(found)
    matches = list(pattern.finditer(text)) if pattern else []
    start, end = 0, len(text)
    if around is not None and len(text) > around:
        first = matches[0].start() if matches else 0
        start = max(0, first - around // 3)
        end = min(len(text), start + around)
        matches = [m for m in matches if m.start() >= start and m.end() <= end]
    pieces = ["…" if start else ""]
    at = start
    for match in matches:
        pieces.append(escape(text[at : match.start()]))
        pieces.append("<mark>" + escape(match.group()) + "</mark>")
        at = match.end()
    pieces.append(escape(text[at:end]))
    pieces.append("…" if end < len(text) else "")
    return mark_safe("".join(pieces))  # noqa: S308  every piece of user text above went through escape()


def has_match(text: str, found: Iterable[str]) -> bool:
    pattern = _pattern(found)
    return bool(pattern and text and pattern.search(text))


# --- The index itself (called from migrations) --------------------------------------------------------


def install(schema_editor, index: TextIndex) -> None:
    vendor = schema_editor.connection.vendor
    statements = _postgresql(index) if vendor == "postgresql" else _sqlite(index) if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor, index: TextIndex) -> None:
    vendor = schema_editor.connection.vendor
    table = index.table
    if vendor == "postgresql":
        statements = [f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "search_vector"']
        for column in index.trigram:
            statements.append(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')
        if index.notes_table:
            statements += [
                f'DROP TRIGGER IF EXISTS "{index.notes_table}_search_notes" ON "{index.notes_table}"',
                f'DROP FUNCTION IF EXISTS "{table}_search_notes"()',
                f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "search_notes"',
            ]
    elif vendor == "sqlite":
        statements = [
            f'DROP TRIGGER IF EXISTS "{name}"'
            for name in (f"{table}_fts_insert", f"{table}_fts_update", f"{table}_fts_delete")
        ]
        if index.notes_table:
            statements += [
                f'DROP TRIGGER IF EXISTS "{index.notes_table}_fts_{when}"' for when in ("insert", "update", "delete")
            ]
        statements.append(f'DROP TABLE IF EXISTS "{index.fts}"')
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def rebuild_sqlite(schema_editor, old: TextIndex, new: TextIndex) -> None:
    """SQLite: the FTS5 table and its triggers remade as `new` describes them, filled from the rows
    (a migration changing how the index is kept). Nothing on PostgreSQL: uninstall would drop its
    own index."""
    if schema_editor.connection.vendor == "sqlite":
        uninstall(schema_editor, old)
        install(schema_editor, new)


def _notes_of(index: TextIndex, key: str, separator_sql: str) -> str:
    return (
        f'coalesce((SELECT {separator_sql} FROM "{index.notes_table}" n '
        f"WHERE n.\"{index.notes_key}\" = {key} AND n.body <> ''), '')"
    )


def _postgresql(index: TextIndex) -> list[str]:
    table = index.table
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] if index.trigram else []
    if index.notes_table:
        notes = index.notes_table
        recompute = _notes_of(index, "{key}", "string_agg(n.body, ' ' ORDER BY n.id)")
        statements += [
            f'ALTER TABLE "{table}" ADD COLUMN "search_notes" text NOT NULL DEFAULT \'\'',
            f'UPDATE "{table}" t SET "search_notes" = {recompute.format(key="t.id")}',
            f"""CREATE FUNCTION "{table}_search_notes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.body <> '' THEN
      UPDATE "{table}" SET "search_notes" = "search_notes" || ' ' || NEW.body WHERE id = NEW."{index.notes_key}";
    END IF;
  ELSE
    UPDATE "{table}" SET "search_notes" = {recompute.format(key=f'OLD."{index.notes_key}"')}
      WHERE id = OLD."{index.notes_key}";
    IF TG_OP = 'UPDATE' AND NEW."{index.notes_key}" <> OLD."{index.notes_key}" THEN
      UPDATE "{table}" SET "search_notes" = {recompute.format(key=f'NEW."{index.notes_key}"')}
        WHERE id = NEW."{index.notes_key}";
    END IF;
  END IF;
  RETURN NULL;
END $$""",
            f'CREATE TRIGGER "{notes}_search_notes" AFTER INSERT OR DELETE OR UPDATE OF body, "{index.notes_key}" '
            f'ON "{notes}" FOR EACH ROW EXECUTE FUNCTION "{table}_search_notes"()',
        ]
    vector = " || ".join(
        f"setweight(to_tsvector('english'::regconfig, translate(coalesce(\"{column}\", ''), '<>', '  ')), '{weight}')"
        for column, weight in index.searched
    )
    statements.append(
        f'ALTER TABLE "{table}" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ({vector}) STORED'
    )
    return statements + _postgresql_indexes(index)


def _postgresql_index_names(index: TextIndex) -> list[str]:
    return [f"{index.table}_search", *(f"{index.table}_{column}_trgm" for column in index.trigram)]


# GIN's fast update queues new entries in a pending list that every search reads through in full
# until a vacuum merges it: after a day of edits a rare word took 30 ms instead of 9. Reports and
# complaints are written a few times a day and searched far more, so entries go straight in.
GIN_OPTIONS = "WITH (fastupdate = off)"


def _postgresql_indexes(index: TextIndex, lead: str | None = None) -> list[str]:
    """The GIN index on the tsvector and the trigram ones, each led by the column `lead` if given."""
    table = index.table
    first = f'"{lead}", ' if lead else ""
    keys = ['"search_vector"', *(f'"{column}" gin_trgm_ops' for column in index.trigram)]
    return [
        f'CREATE INDEX "{name}" ON "{table}" USING gin ({first}{key}) {GIN_OPTIONS}'
        for name, key in zip(_postgresql_index_names(index), keys, strict=True)
    ]


def set_gin_fast_update(schema_editor, index: TextIndex, enabled: bool) -> None:
    """PostgreSQL: turn GIN's pending list on or off for the text indexes; turning it off also
    merges what is queued, so no search reads it again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _postgresql_index_names(index):
        schema_editor.execute(f'ALTER INDEX "{name}" SET (fastupdate = {"on" if enabled else "off"})', params=None)
        if not enabled:
            schema_editor.execute(f"SELECT gin_clean_pending_list('\"{name}\"'::regclass)", params=None)


def lead_postgresql_indexes(schema_editor, index: TextIndex, column: str | None) -> None:
    """Rebuild the PostgreSQL text indexes (the tsvector and the trigram ones) with `column` first
    (btree_gin), or plain again with None. Searches are always within one school: across a trust's
    million rows the planner judges the plain text index dearer than reading the school's rows one
    by one and testing each, which at 5,000 rows a school costs ten times the led index's plan."""
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = ["CREATE EXTENSION IF NOT EXISTS btree_gin"] if column else []
    statements += [f'DROP INDEX IF EXISTS "{name}"' for name in _postgresql_index_names(index)]
    statements += _postgresql_indexes(index, column)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _q(name: str) -> str:
    return f'"{name}"'


def _sqlite(index: TextIndex) -> list[str]:
    table, fts = _q(index.table), _q(index.fts)
    own = [column for column, _ in index.columns]
    names = ", ".join(_q(c) for c in own)
    new_values = ", ".join(f"new.{_q(c)}" for c in own)
    assignments = ", ".join(f"{_q(c)} = new.{_q(c)}" for c in own)
    notes_column = ', "search_notes"' if index.notes_table else ""
    prefix = f", prefix='{' '.join(str(length) for length in index.prefixes)}'" if index.prefixes else ""
    statements = [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}{notes_column}, "
        f"tokenize='porter unicode61 remove_diacritics 2'{prefix})",
    ]
    if index.notes_table:
        recompute = _notes_of(index, "{key}", "group_concat(n.body, ' ')")
        copied = ", ".join(f"coalesce(t.{_q(c)}, '')" for c in own)
        statements.append(
            f'INSERT INTO {fts} (rowid, {names}, "search_notes") '
            f"SELECT t.id, {copied}, {recompute.format(key='t.id')} FROM {table} t"
        )
    else:
        statements.append(f"INSERT INTO {fts} (rowid, {names}) SELECT id, {names} FROM {table}")
    empty_notes = ", ''" if index.notes_table else ""
    statements += [
        f'CREATE TRIGGER "{index.table}_fts_insert" AFTER INSERT ON {table} BEGIN '
        f"INSERT INTO {fts} (rowid, {names}{notes_column}) VALUES (new.id, {new_values}{empty_notes}); END",
        f'CREATE TRIGGER "{index.table}_fts_update" AFTER UPDATE OF {names} ON {table} BEGIN '
        f"UPDATE {fts} SET {assignments} WHERE rowid = new.id; END",
        f'CREATE TRIGGER "{index.table}_fts_delete" AFTER DELETE ON {table} BEGIN '
        f"DELETE FROM {fts} WHERE rowid = old.id; END",
    ]
    if index.notes_table:
        notes, key = index.notes_table, _q(index.notes_key)
        old_notes = recompute.format(key=f"old.{key}")
        new_notes = recompute.format(key=f"new.{key}")
        statements += [
            f'CREATE TRIGGER "{notes}_fts_insert" AFTER INSERT ON "{notes}" WHEN new.body <> \'\' BEGIN '
            f'UPDATE {fts} SET "search_notes" = "search_notes" || \' \' || new.body WHERE rowid = new.{key}; END',
            f'CREATE TRIGGER "{notes}_fts_update" AFTER UPDATE OF body, {key} ON "{notes}" BEGIN '
            f'UPDATE {fts} SET "search_notes" = {old_notes} WHERE rowid = old.{key}; '
            f'UPDATE {fts} SET "search_notes" = {new_notes} WHERE rowid = new.{key}; END',
            f'CREATE TRIGGER "{notes}_fts_delete" AFTER DELETE ON "{notes}" BEGIN '
            f'UPDATE {fts} SET "search_notes" = {old_notes} WHERE rowid = old.{key}; END',
        ]
    return statements


def sqlite_triggers(index: TextIndex) -> set[str]:
    """The names of the triggers that keep the SQLite index in step."""
    names = {f"{index.table}_fts_{when}" for when in ("insert", "update", "delete")}
    if index.notes_table:
        names |= {f"{index.notes_table}_fts_{when}" for when in ("insert", "update", "delete")}
    return names


def missing_sqlite_triggers(connection, index: TextIndex) -> set[str]:
    """The SQLite triggers of `index` that are missing (a test checks none went missing)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return sqlite_triggers(index) - {row[0] for row in cursor.fetchall()}


def repair_sqlite(connection, index: TextIndex) -> bool:
    """Put the SQLite index back when a later migration rebuilt its table: Django's SQLite schema
    editor remakes a table to alter it, and the remade table has none of the old triggers. Run
    after every migrate (post_migrate); rebuilds the index from the rows. True if it repaired."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [index.fts])
        if cursor.fetchone() is None:
            return False  # the index's own migration has not run yet
    if not missing_sqlite_triggers(connection, index):
        return False
    # Plain statements, not a schema editor: this also runs inside a transaction.
    executor = _Statements(connection)
    uninstall(executor, index)
    install(executor, index)
    return True


class _Statements:
    """What install/uninstall need of a schema editor: the connection, and a way to run a statement."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def execute(self, sql: str, params=None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
