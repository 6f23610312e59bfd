"""Searching the incident list: words in the post (stemmed), the account name, who is targeted, the
reference and the case notes; best match first; the words marked, the user's text escaped."""

import pytest
from django.db import connection
from django.urls import reverse

from incidents import actions
from incidents.models import Incident, TimelineEntry
from incidents.search import INDEX, search
from schoolsocial.lib import fulltext

LIST = reverse("incidents:list")


def refs(response) -> list[str]:
    return [i.reference for i in response.context["page"]]


def test_words_in_the_post_match_in_other_forms(cast, client_for, file_report):
    bullied = file_report(content="Pupils in year 6 are being bullied in the group chat every evening.")
    file_report(content="A complaint about the lunches.")
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST, {"q": "bullying"})) == [bullied.reference]
    assert refs(client.get(LIST, {"q": "chats evenings"})) == [bullied.reference]
    assert refs(client.get(LIST, {"q": "bullying lunches"})) == []  # every word must be found


def test_account_name_targeted_reference_and_notes_are_searched(cast, client_for, file_report):
    handle = file_report(account_name="@nightowl_gossip99", content="Nothing to see")
    targeted = file_report(targeted="Mr Okonkwo, the PE teacher", content="Nothing to see")
    noted = file_report(content="Nothing to see")
    actions.add_note(incident=noted, by=cast.headteacher, text="Spoke to the grandmother on Tuesday.")
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST, {"q": "nightowl"})) == [handle.reference]  # the start of a handle
    assert refs(client.get(LIST, {"q": "okonkwo"})) == [targeted.reference]
    assert refs(client.get(LIST, {"q": "grandmother"})) == [noted.reference]
    assert refs(client.get(LIST, {"q": noted.reference.lower()})) == [noted.reference]
    assert refs(client.get(LIST, {"q": noted.reference[:-1]})) != []  # part of a reference


def test_a_changed_post_and_a_removed_note_are_found_as_they_now_are(cast, file_report):
    incident = file_report(content="About the swimming gala")
    note = actions.add_note(incident=incident, by=cast.headteacher, text="Parent phoned about the referee")
    cases = Incident.objects.filter(school=cast.school)
    Incident.objects.filter(pk=incident.pk).update(content="About the football match")
    assert list(search(cases, "football")) == [incident]
    assert list(search(cases, "swimming")) == []
    assert list(search(cases, "referee")) == [incident]
    TimelineEntry.objects.filter(pk=note.pk).delete()
    assert list(search(cases, "referee")) == []


def test_best_match_comes_first(cast, file_report):
    once = file_report(content="Someone mentioned the fire alarm at the school.", account_name="Local news")
    in_name = file_report(content="Fire fire fire, the alarm went off again", account_name="Fire alarm fans")
    ranked = list(search(Incident.objects.filter(school=cast.school), "fire alarm"))
    assert ranked == [in_name, once]


def test_another_schools_incidents_are_never_found(cast, client_for, file_report):
    file_report(school=cast.other_school, reporter=cast.other_school_parent, content="Zebra crossing outside")
    mine = file_report(content="Zebra crossing by the gate")
    assert refs(client_for(cast.headteacher).get(LIST, {"q": "zebra"})) == [mine.reference]


def test_search_combines_with_the_other_filters(cast, client_for, file_report):
    threat = file_report(natures=["threat"], content="Waiting outside the gates tomorrow")
    file_report(natures=["complaint"], content="Waiting outside for the bus")
    assert refs(client_for(cast.headteacher).get(LIST, {"q": "waiting", "nature": "threat"})) == [threat.reference]


@pytest.mark.parametrize("text", ['"', "*", "a OR b", "NEAR(x y)", "'; DROP TABLE x; --", "!!!", "%_\\"])
def test_query_syntax_is_never_a_500(cast, client_for, file_report, text):
    file_report()
    assert client_for(cast.headteacher).get(LIST, {"q": text}).status_code == 200


def test_matches_are_marked_and_the_post_is_escaped(cast, client_for, file_report):
    file_report(content="<script>alert('x')</script> the headteacher is useless & lazy")
    page = client_for(cast.headteacher).get(LIST, {"q": "useless script"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt;" in page
    assert "is <mark>useless</mark> &amp; lazy" in page


def test_a_search_for_an_entity_name_does_not_break_the_escaping(cast, client_for, file_report):
    file_report(content="Tom & Jerry <b>amp</b> lt")
    page = client_for(cast.headteacher).get(LIST, {"q": "amp lt"}).content.decode()
    assert "Tom &amp; Jerry &lt;b&gt;<mark>amp</mark>&lt;/b&gt; <mark>lt</mark>" in page


def test_highlight_keeps_a_window_round_the_first_match():
    text = "word " * 100 + "needle " + "word " * 100
    marked = fulltext.highlight(text, ["needle"], around=60)
    assert "<mark>needle</mark>" in marked
    assert marked.startswith("…") and marked.endswith("…")
    assert len(marked) < 120


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers exist on SQLite only")
def test_the_sqlite_triggers_are_all_in_place(db):
    assert fulltext.missing_sqlite_triggers(connection, INDEX) == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite remakes a table to alter it")
def test_the_sqlite_index_is_repaired_after_a_migration_remade_the_table(cast, file_report):
    """Django's SQLite schema editor remakes a table to alter it, and the new table has no
    triggers: after every migrate, the index is checked and rebuilt."""
    before = file_report(content="A post about the trampoline club")
    with connection.cursor() as cursor:
        for name in fulltext.sqlite_triggers(INDEX):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    assert fulltext.missing_sqlite_triggers(connection, INDEX)
    assert fulltext.repair_sqlite(connection, INDEX) is True
    assert fulltext.missing_sqlite_triggers(connection, INDEX) == set()
    after = file_report(content="Another post about the trampoline")
    found = set(search(Incident.objects.filter(school=cast.school), "trampoline"))
    assert found == {before, after}
    assert fulltext.repair_sqlite(connection, INDEX) is False  # nothing to repair the second time


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_any_part_of_a_handle_matches_on_postgresql(cast, file_report):
    handle = file_report(account_name="@nightowl_gossip99", content="Nothing to see")
    assert list(search(Incident.objects.filter(school=cast.school), "owl_goss")) == [handle]


def _gin_options() -> dict[str, list[str]]:
    names = ["incidents_incident_search", "incidents_incident_reference_trgm", "incidents_incident_account_name_trgm"]
    names.append("complaints_complaint_search")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [names])
        options = {name: opts or [] for name, opts in cursor.fetchall()}
    assert set(options) == set(names)
    return options


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL prepares statements")
def test_a_search_is_planned_for_its_words_never_from_a_kept_plan(cast, client_for, file_report):
    # A kept (generic) plan cannot know a common word from a rare one: at 500,000 incidents it made
    # a common word's search three times slower. The rest of the page's queries are still prepared.
    chat = file_report(content="The group chat again")
    client = client_for(cast.headteacher)
    for _ in range(8):  # past psycopg's prepare_threshold (settings.py)
        assert refs(client.get(LIST, {"q": "group"})) == [chat.reference]
        assert refs(client.get(LIST, {"q": "chat", "status": "open"})) == [chat.reference]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("django_session" in statement for statement in prepared)  # preparing is on
    assert [statement for statement in prepared if fulltext.SEARCH_MARK in statement] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_new_reports_go_straight_into_the_text_indexes_on_postgresql(db):
    """No GIN pending list: with fast update on, every search reads the day's queued entries in full."""
    assert all("fastupdate=off" in opts for opts in _gin_options().values())
    # A database made before the change has it on; the migration turns it off (and merges the queue).
    with connection.schema_editor() as editor:
        fulltext.set_gin_fast_update(editor, INDEX, enabled=True)
    assert _gin_options()["incidents_incident_search"] == ["fastupdate=on"]
    with connection.schema_editor() as editor:
        fulltext.set_gin_fast_update(editor, INDEX, enabled=False)
    incident_options = {k: v for k, v in _gin_options().items() if k.startswith("incidents_")}
    assert incident_options and all(opts == ["fastupdate=off"] for opts in incident_options.values())


# --- Many matches: ranking is bounded, the newest come first and the list says so ----------------


@pytest.fixture
def rank_at_most_three(monkeypatch):
    """Rank at most three matches (the portal ranks a hundred), so a handful of reports is 'many'."""
    monkeypatch.setattr(fulltext, "RANK_AT_MOST", 3)


def test_a_word_in_many_reports_lists_the_newest_first_and_says_so(cast, client_for, file_report, rank_at_most_three):
    # The oldest would rank best (the word twice, and in the account name).
    oldest = file_report(content="The group chat group again", account_name="Group watch")
    middle = [file_report(content=f"Shared in a group, number {n}") for n in range(3)]
    newest = file_report(content="Another group post")
    file_report(content="Nothing to do with it")
    response = client_for(cast.headteacher).get(LIST, {"q": "group"})
    assert refs(response) == [newest.reference, *[i.reference for i in reversed(middle)], oldest.reference]
    page = response.content.decode()
    assert "More than 3 incidents match, so the newest are shown first" in page
    assert "<mark>group</mark>" in page  # the words are still marked


def test_many_matches_are_paged_newest_first(cast, client_for, file_report, rank_at_most_three, monkeypatch):
    from incidents.views import cases

    monkeypatch.setattr(cases, "PAGE_SIZE", 2)
    made = [file_report(content=f"A post in the group chat, {n}") for n in range(5)]
    client = client_for(cast.headteacher)
    newest_first = [i.reference for i in reversed(made)]
    first, second, third = (client.get(LIST, {"q": "group", "page": n}) for n in (1, 2, 3))
    assert refs(first) == newest_first[:2] and first.context["page"].has_next
    assert refs(second) == newest_first[2:4]
    assert refs(third) == newest_first[4:] and not third.context["page"].has_next


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL chooses how to count the matches")
@pytest.mark.parametrize("selective_below", [0, 10**9], ids=["newest-first-probe", "text-index-probe"])
def test_both_ways_of_counting_the_matches_agree(cast, file_report, rank_at_most_three, monkeypatch, selective_below):
    """Whichever way the planner's estimate picks, three matches are "not too many" and four are."""
    monkeypatch.setattr(fulltext, "SELECTIVE_BELOW", selective_below)
    incidents = Incident.objects.filter(school=cast.school)
    for n in range(3):
        file_report(content=f"A post about the trampoline, {n}")
    file_report(content="Nothing to do with it")
    assert not fulltext.find(incidents, INDEX, "trampoline").many
    file_report(content="One more trampoline post")
    assert fulltext.find(incidents, INDEX, "trampoline").many


def test_few_matches_are_ranked_with_no_hint(cast, client_for, file_report, rank_at_most_three):
    once = file_report(content="A post about the group", account_name="Someone")
    best = file_report(content="Group, group, group", account_name="Group watch")
    response = client_for(cast.headteacher).get(LIST, {"q": "group"})
    assert refs(response)[0] == best.reference and set(refs(response)) == {best.reference, once.reference}
    assert "newest are shown first" not in response.content.decode()


def test_among_many_matches_a_restricted_case_or_another_school_never_shows(
    cast, client_for, file_report, rank_at_most_three
):
    mine = [file_report(content=f"Seen in the group chat {n}") for n in range(4)]
    hidden = file_report(content="The group chat again")
    Incident.objects.filter(pk=hidden.pk).update(restricted=True)  # no named handlers: nobody here
    file_report(school=cast.other_school, reporter=cast.other_school_parent, content="Their group chat")
    response = client_for(cast.headteacher).get(LIST, {"q": "group"})
    assert set(refs(response)) == {i.reference for i in mine}
    assert response.context["too_many_to_rank"]


def test_a_whole_reference_finds_that_incident_only_in_its_own_school(cast, client_for, file_report):
    mine = file_report(content="One post")
    theirs = file_report(school=cast.other_school, reporter=cast.other_school_parent, content="Their post")
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST, {"q": f"  {mine.reference.lower()} "})) == [mine.reference]
    assert refs(client.get(LIST, {"q": theirs.reference})) == []


# --- Every word is also the start of a longer one: SQLite answers that from prefix indexes ----------


@pytest.mark.parametrize("typed", ["tr", "tram", "trampo", "trampoli", "TRAMPOLINES"])
def test_the_start_of_a_word_finds_it_at_any_length(cast, file_report, typed):
    found = file_report(content="Photos from the trampoline club were posted")
    file_report(content="Photos from the tractor show were posted")
    cases = Incident.objects.filter(school=cast.school)
    expected = {found} if typed.lower().startswith("tram") else {found, *cases.exclude(pk=found.pk)}
    assert set(search(cases, typed)) == expected


def _fts_sql(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [f"{table}_fts"])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables exist on SQLite only")
def test_the_sqlite_indexes_keep_prefix_indexes(db):
    # Without them a common word's prefix query merges every row it matches before the first page.
    for table in ("incidents_incident", "complaints_complaint"):
        assert "prefix='2 3 4 5 6'" in _fts_sql(table)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the migration rebuilds the FTS5 table on SQLite only")
@pytest.mark.django_db(transaction=True)
def test_the_prefix_index_migration_reverses_and_keeps_every_row_searchable(cast, file_report):
    from django.db.migrations.executor import MigrationExecutor

    posted = file_report(content="Photos from the trampoline club were posted")
    actions.add_note(incident=posted, by=cast.headteacher, text="Spoke to the grandmother")
    before = [("incidents", "0026_open_flagged_count_covers_id")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert "prefix=" not in _fts_sql("incidents_incident")
    cases = Incident.objects.filter(school=cast.school)
    assert list(search(cases, "trampo")) == [posted]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    assert "prefix='2 3 4 5 6'" in _fts_sql("incidents_incident")
    assert list(search(cases, "grandmoth")) == [posted]  # the notes copied into the new table
    assert fulltext.missing_sqlite_triggers(connection, INDEX) == set()
    later = file_report(content="Another trampoline post")
    assert set(search(cases, "trampoline")) == {posted, later}
