"""Ingesting the real seed pages into real SQLite files: counts, idempotence, corrected pages,
rollback of a failing file, decoding, issue dates and labels."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from bot import ingest
from bot.config import Settings
from bot.db import open_db
from bot.ingest import (
    DATE_FROM_ARRIVAL,
    DATE_FROM_FLAG,
    DATE_FROM_MASTHEAD,
    NEW,
    REPLACED,
    UNCHANGED,
    IngestError,
    content_hash,
    decode_page,
    edition_of,
    ensure_seeded,
    export_articles,
    ingest_paths,
    ingest_text,
    load_gazetteer,
    published_date,
)
from bot.search import index_terms, search
from summarize.segment import ARTICLE, Article, Page, split_page

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
FILE_TIME = datetime(2025, 12, 22, 9, 30).astimezone()


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(Settings().zones_csv)


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "zonebrief.db")
    yield store
    store.close()


def dump(db) -> list[str]:
    """Every row of every table (search index included), as SQL."""
    return list(db.conn.iterdump())


def seed_text(path: Path) -> str:
    return path.read_text("utf-8")


def test_seeds_folder_stores_every_article_once_with_its_whole_body(db, gazetteer):
    outcomes = ingest_paths(db, [SEEDS_DIR], gazetteer=gazetteer)

    assert [path.name for path in SEED_FILES] == [outcome.path.name for outcome in outcomes]
    assert [None] * len(SEED_FILES) == [outcome.error for outcome in outcomes]
    exported = list(export_articles(db))
    for path, outcome in zip(SEED_FILES, outcomes):
        page = split_page(seed_text(path), gazetteer)
        assert (NEW, len(page.articles), len(page.fragments)) == (
            outcome.result.status, outcome.result.article_count, outcome.result.fragment_count)
        stored = [row for row in exported if row["source"] == path.name]
        assert [(a.kind, a.title, "\n\n".join(a.body)) for a in page.articles] == [
            (row["kind"], row["title"], row["body"]) for row in stored]
        assert page.fragments == tuple(text for (text,) in db.execute(
            "SELECT text FROM fragments JOIN issues ON issues.id = issue_id WHERE source = ? ORDER BY seq",
            [path.name]))
    assert all(row["body"].strip() for row in exported)
    assert len(exported) == len({row["id"] for row in exported}) == db["articles"].count
    assert db["articles"].count == db.execute("SELECT count(*) FROM articles_pairs").fetchone()[0]
    assert len(gazetteer.zones) == db["zones"].count


def test_second_ingest_changes_nothing(db, gazetteer):
    ingest_paths(db, [SEEDS_DIR], gazetteer=gazetteer)
    before = dump(db)

    again = ingest_paths(db, [SEEDS_DIR], gazetteer=gazetteer)

    assert [UNCHANGED] * len(SEED_FILES) == [outcome.result.status for outcome in again]
    assert [0] * len(SEED_FILES) == [outcome.result.articles_added for outcome in again]
    assert before == dump(db)


def test_same_page_in_gbk_with_crlf_is_the_same_content(db, gazetteer, tmp_path):
    text = seed_text(SEED_FILES[3])
    copy = tmp_path / "gbk" / "page.txt"
    copy.parent.mkdir()
    copy.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    ingest_paths(db, [SEED_FILES[3]], gazetteer=gazetteer)
    before = dump(db)

    [outcome] = ingest_paths(db, [copy], gazetteer=gazetteer)

    assert (UNCHANGED, SEED_FILES[3].name) == (outcome.result.status, outcome.result.source)
    assert before == dump(db)


def test_gbk_page_is_decoded_and_stored(db, gazetteer, tmp_path):
    page = tmp_path / "gbk.txt"
    page.write_bytes(seed_text(SEED_FILES[0]).encode("gbk"))

    [outcome] = ingest_paths(db, [page], gazetteer=gazetteer)

    assert NEW == outcome.result.status
    assert "gb18030" == db.execute("SELECT encoding FROM issues").fetchone()[0]
    assert content_hash(seed_text(SEED_FILES[0])) == db.execute("SELECT content_hash FROM issues").fetchone()[0]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("晋城经济技术开发区\n".encode(), "utf-8-sig"),
        ("\ufeff晋城经济技术开发区\n".encode("utf-8"), "utf-8-sig"),
        ("晋城经济技术开发区\n".encode("gbk"), "gb18030"),
        ("晋城经济技术开发区\n".encode("utf-16"), "utf-16"),
    ],
)
def test_decode_page(data, encoding):
    assert ("晋城经济技术开发区\n", encoding) == decode_page(data)


def test_utf8_with_a_cut_character_stays_utf8():
    text = seed_text(SEED_FILES[0])
    data = text.encode("utf-8")
    cut = data.index("腾笼".encode()) + 1  # inside the three bytes of 腾

    decoded, encoding = decode_page(data[:cut] + data[cut + 2:])

    assert "utf-8-sig/replace" == encoding
    assert decoded.replace("\ufffd", "腾", 1) == text


def test_undecodable_text_is_refused():
    with pytest.raises(IngestError, match="编码"):
        decode_page("Zoë's café page\n".encode("latin-1"))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n\x00\x01\x02 binary",
        bytes(range(256)) * 20,
        b"\x1b\x02\x03\x04\x05\x06\x07\x08" * 100 + "晋城".encode(),
    ],
)
def test_binary_data_is_refused(data):
    with pytest.raises(IngestError, match="二进制"):
        decode_page(data)


def test_failing_file_leaves_the_database_as_it_was(db, gazetteer, monkeypatch):
    ingest_text(db, seed_text(SEED_FILES[0]), SEED_FILES[0].name, gazetteer=gazetteer)
    before = dump(db)
    calls = []

    def fail_after_the_articles(*args, **kwargs):  # the page's articles and zones are written by now
        calls.append(args)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "index_articles", fail_after_the_articles)

    with pytest.raises(RuntimeError):
        ingest_text(db, seed_text(SEED_FILES[1]), SEED_FILES[1].name, gazetteer=gazetteer)

    assert 1 == len(calls)
    assert before == dump(db)


def test_failing_file_does_not_stop_the_others(db, gazetteer, monkeypatch):
    failing = split_page(seed_text(SEED_FILES[2]), gazetteer).articles[2]
    index_articles = ingest.index_articles

    failing_terms = index_terms(failing.title, "\n\n".join(failing.body))

    def fail_for_one_article(db, entries):
        if any(terms == failing_terms for _, terms in entries):
            raise sqlite3.OperationalError("disk I/O error")
        index_articles(db, entries)

    monkeypatch.setattr(ingest, "index_articles", fail_for_one_article)

    outcomes = ingest_paths(db, SEED_FILES[1:4], gazetteer=gazetteer)

    assert [None, None] == [outcomes[0].error, outcomes[2].error]
    assert "disk I/O error" in outcomes[1].error and "数据库未改动" in outcomes[1].error
    assert [SEED_FILES[1].name, SEED_FILES[3].name] == [row["source"] for row in db["issues"].rows]
    assert {SEED_FILES[1].name, SEED_FILES[3].name} == {row["source"] for row in export_articles(db)}
    assert db["articles"].count == db.execute("SELECT count(*) FROM articles_pairs").fetchone()[0]


def test_a_folder_is_written_in_one_transaction_a_batch_as_each_file_alone_would_be(tmp_path, gazetteer, monkeypatch):
    statements: list[str] = []
    with open_db(tmp_path / "batched.db") as batched:
        batched.conn.set_trace_callback(statements.append)
        batched_outcomes = ingest_paths(batched, [SEEDS_DIR], gazetteer=gazetteer)
        batched.conn.set_trace_callback(None)
        batched_articles = list(export_articles(batched))
    monkeypatch.setattr(ingest, "WRITE_BATCH_FILES", 1)
    with open_db(tmp_path / "alone.db") as alone:
        alone_outcomes = ingest_paths(alone, [SEEDS_DIR], gazetteer=gazetteer)
        alone_articles = list(export_articles(alone))

    assert 1 == statements.count("COMMIT")  # 5 seed pages, one batch
    assert [(o.path, o.error) for o in alone_outcomes] == [(o.path, o.error) for o in batched_outcomes]
    assert [o.result.article_count for o in alone_outcomes] == [o.result.article_count for o in batched_outcomes]
    assert alone_articles == batched_articles


def test_a_batch_whose_commit_fails_is_written_file_by_file(db, gazetteer, monkeypatch):
    commits = []
    write_transaction = ingest.write_transaction

    @contextlib.contextmanager
    def commit_fails_once(store):
        outermost = not store.conn.in_transaction  # the batch's, not a page's savepoint
        with write_transaction(store):
            yield store
            if outermost and not commits and len(store.execute("SELECT id FROM issues").fetchall()) > 1:
                commits.append("failed")
                raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ingest, "write_transaction", commit_fails_once)

    outcomes = ingest_paths(db, SEED_FILES[:3], gazetteer=gazetteer)

    assert ["failed"] == commits
    assert [None, None, None] == [outcome.error for outcome in outcomes]
    assert [path.name for path in SEED_FILES[:3]] == [row["source"] for row in db["issues"].rows]


def test_corrected_page_replaces_the_issue_and_keeps_unchanged_ids(db, gazetteer):
    original = seed_text(SEED_FILES[1])  # its masthead prints 2024年第34期
    first = ingest_text(db, original, "page.txt", gazetteer=gazetteer)
    old_ids = {(row["kind"], row["title"]): row["id"] for row in export_articles(db)}
    last = split_page(original, gazetteer).articles[0].body[-1]
    tail = next(last[-n:] for n in range(20, 3, -1) if last[-n:] in original)  # as printed, unbroken
    corrected = original.replace(tail, tail + "更正后补充的一句话：鲲鹏展翅。", 1)

    second = ingest_text(db, corrected, "corrected.txt", gazetteer=gazetteer)

    assert (REPLACED, first.issue_id, 0) == (second.status, second.issue_id, second.articles_added)
    assert 1 == db["issues"].count
    rows = list(export_articles(db))
    assert [(a.kind, a.title, "\n\n".join(a.body)) for a in split_page(corrected, gazetteer).articles] == [
        (row["kind"], row["title"], row["body"]) for row in rows]
    assert list(old_ids.values()) == [row["id"] for row in rows]
    assert [rows[0]["id"]] == [hit.article_id for hit in search(db, ["鲲鹏展翅"]).hits]


def test_shorter_corrected_page_drops_the_missing_articles_everywhere(db, gazetteer):
    original = seed_text(SEED_FILES[1])
    ingest_text(db, original, "page.txt", gazetteer=gazetteer)
    old_ids = {(row["kind"], row["title"]): row["id"] for row in export_articles(db)}
    lines = original.splitlines()
    shorter = "\n".join(lines[: len(lines) // 2])
    new_keys = [(a.kind, a.title) for a in split_page(shorter, gazetteer).articles]
    dropped = {article_id for key, article_id in old_ids.items() if key not in new_keys}

    result = ingest_text(db, shorter, "page.txt", gazetteer=gazetteer, file_time=FILE_TIME)

    rows = list(export_articles(db))
    assert dropped and REPLACED == result.status
    assert new_keys == [(row["kind"], row["title"]) for row in rows]
    assert [old_ids.get(key) for key in new_keys] == [
        row["id"] if (row["kind"], row["title"]) in old_ids else None for row in rows]
    assert sum(key not in old_ids for key in new_keys) == result.articles_added
    assert not dropped & {row["id"] for row in rows}
    assert not dropped & {article_id for (article_id,) in db.execute("SELECT article_id FROM article_zones")}
    assert {row["id"] for row in rows} == {rowid for (rowid,) in db.execute("SELECT rowid FROM articles_pairs")}


def test_a_different_page_with_the_same_file_name_is_a_new_issue(db, gazetteer):
    """Page identity is content and edition, not the file name: admin uploads are all page.txt."""
    first = ingest_text(db, seed_text(SEED_FILES[4]), "page.txt", gazetteer=gazetteer)
    articles = db["articles"].count

    second = ingest_text(db, seed_text(SEED_FILES[2]), "page.txt", gazetteer=gazetteer)

    assert (NEW, NEW) == (first.status, second.status) and first.issue_id != second.issue_id
    assert 2 == db["issues"].count
    assert articles + second.article_count == db["articles"].count
    assert {first.issue_id, second.issue_id} == {issue_id for (issue_id,) in db.execute("SELECT issue_id FROM articles")}


def test_a_corrected_page_with_new_articles_is_planned_again_so_they_are_pushed(db, gazetteer):
    original = seed_text(SEED_FILES[1])
    first = ingest_text(db, original, "page.txt", gazetteer=gazetteer)
    db.execute("UPDATE issues SET pushes_planned_at = '2026-01-01T00:00:00.000+00:00'")
    title = split_page(original, gazetteer).articles[0].title
    retitled = original.replace(title, title + "（更正）", 1)

    second = ingest_text(db, retitled, "page.txt", gazetteer=gazetteer)

    assert (REPLACED, first.issue_id, 1) == (second.status, second.issue_id, second.articles_added)
    assert [None] == [row["pushes_planned_at"] for row in db["issues"].rows]


def test_another_page_of_the_same_issue_is_a_new_issue_not_a_correction(db, gazetteer):
    """Rule "same page": seeds/001 and the held-out h01 are two pages of 2024年第34期 with no article
    in common (the section fills several pages of an issue); the second must not replace the first."""
    page_one = seed_text(SEED_FILES[1])
    other = (ROOT / "tests" / "data" / "heldout" / "h01_oneline_column_headers.txt").read_text("utf-8")
    first = ingest_text(db, page_one, "d1.txt", gazetteer=gazetteer)

    second = ingest_text(db, other, "d2.txt", gazetteer=gazetteer)

    assert (NEW, NEW) == (first.status, second.status) and first.issue_id != second.issue_id
    assert ["2024年第34期", "2024年第34期"] == [first.label, second.label]
    assert first.article_count + second.article_count == db["articles"].count
    title = split_page(page_one, gazetteer).articles[0].title
    corrected = ingest_text(db, page_one.replace(title, title + "（更正）", 1), "d1-fixed.txt", gazetteer=gazetteer)
    assert (REPLACED, first.issue_id) == (corrected.status, corrected.issue_id)
    assert first.article_count + second.article_count == db["articles"].count


def test_an_untitled_article_in_common_does_not_make_a_page_a_correction(db, gazetteer):
    """Rule "same page" counts titled articles only: p1 (2025年第10期) and p3 under that 期 have
    nothing in common but an untitled photo of 侯马经济开发区, whose key any page may print."""
    pages = ROOT / "tests" / "data" / "pages"
    first = ingest_text(db, (pages / "p1_masthead_briefs.txt").read_text("utf-8"), "d1.txt", gazetteer=gazetteer)
    other = "开发区建设\n\n2025 年第 10 期 邮发代号: 21-465\n\n" + (pages / "p3_headers_out_of_place.txt").read_text("utf-8")

    second = ingest_text(db, other, "d2.txt", gazetteer=gazetteer)

    assert (NEW, "2025年第10期") == (second.status, second.label) and first.issue_id != second.issue_id
    assert first.article_count + second.article_count == db["articles"].count


def test_edition_is_the_masthead_issue_and_section_or_none():
    assert "2024年第34期·开发区建设" == edition_of(Page(articles=(), issue_label="2024年第34期"))
    assert edition_of(Page(articles=())) is None


def test_empty_text_is_refused(db, gazetteer):
    for text in ("", " \n\r\n\u3000\n"):
        with pytest.raises(IngestError, match="空"):
            ingest_text(db, text, "empty.txt", gazetteer=gazetteer)
    assert 0 == db["issues"].count


def test_the_flag_dates_a_page_without_a_printed_date(db, gazetteer):
    result = ingest_text(db, seed_text(SEED_FILES[0]), SEED_FILES[0].name, gazetteer=gazetteer, issue_date="2025-01-06", issue_label="2025年第1期",
                         file_time=FILE_TIME)

    assert ("2025-01-06", DATE_FROM_FLAG, "2025年第1期") == (result.issue_date, result.date_source, result.label)
    assert ("2025-01-06", DATE_FROM_FLAG, "2025年第1期") == db.execute(
        "SELECT issue_date, date_source, label FROM issues").fetchone()


def test_the_masthead_date_beats_the_flag(db, gazetteer):
    page = "开发区建设\n\n2025年4月18日 星期五\n\n" + UNDATED
    result = ingest_text(db, page, "p.txt", gazetteer=gazetteer, issue_date="2025-01-06")
    assert ("2025-04-18", DATE_FROM_MASTHEAD, "2025年4月18日") == (result.issue_date, result.date_source, result.label)


@pytest.mark.parametrize("path", SEED_FILES, ids=[path.name[:3] for path in SEED_FILES])
def test_issue_date_and_label_from_the_masthead_else_the_arrival(db, gazetteer, path):
    page = split_page(seed_text(path), gazetteer)
    expected_date, expected_source = (
        (page.masthead_date, DATE_FROM_MASTHEAD) if page.masthead_date else (FILE_TIME.date().isoformat(), DATE_FROM_ARRIVAL)
    )

    result = ingest_text(db, seed_text(path), path.name, gazetteer=gazetteer,
                         file_time=FILE_TIME)

    assert (expected_date, expected_source) == (result.issue_date, result.date_source)
    assert (page.issue_label or "2025年12月22日收到") == result.label
    assert path.stem not in result.label


UNDATED = (
    "文水经济开发区\n\n“链长制”推动产业集群发展\n\n科学导报讯 2月15日，文水经济开发区召开“链长制”工作推进会，"
    "总结去年工作，部署今年任务。文水经济开发区于2020年7月获批省级开发区，2023年被评为全省开发区高质量发展百强。 刘晓晶\n\n"
    "平遥经济技术开发区\n\n项目建设提速\n\n科学导报讯 今年以来，平遥经济技术开发区新开工项目12个，总投资超过30亿元，"
    "一批重点项目相继落地投产。 张炜\n"
)


def test_a_page_without_any_date_is_dated_by_its_arrival_never_by_a_quoted_year(db, gazetteer):
    result = ingest_text(db, UNDATED, "undated.txt", gazetteer=gazetteer, file_time=FILE_TIME)
    assert ("2025-12-22", DATE_FROM_ARRIVAL, "2025年12月22日收到") == (result.issue_date, result.date_source, result.label)
    published = [row[0] for row in db.execute("SELECT published FROM articles ORDER BY seq")]
    assert ["2025-02-15", "2025-12-22"] == published  # the dateline's day in the issue's year; else the issue's


def test_a_page_without_any_date_arrives_today_without_a_file_time(db, gazetteer):
    before = datetime.now().astimezone().date()
    result = ingest_text(db, UNDATED, "undated.txt", gazetteer=gazetteer)
    assert DATE_FROM_ARRIVAL == result.date_source
    assert before <= date.fromisoformat(result.issue_date) <= datetime.now().astimezone().date()


def test_a_zone_the_gazetteer_lacks_is_added_as_discovered(db, gazetteer):
    page = UNDATED.replace("平遥经济技术开发区\n", "榆社经济技术开发区\n")
    ingest_text(db, page, "yushe.txt", gazetteer=gazetteer, file_time=FILE_TIME)
    row = db.execute("SELECT city, source, doubtful FROM zones WHERE name = '榆社经济技术开发区'").fetchone()
    assert ("晋中", "discovered: yushe.txt", 1) == row
    linked = db.execute("SELECT count(*) FROM article_zones WHERE zone = '榆社经济技术开发区' AND is_primary").fetchone()
    assert (1,) == linked


def test_an_undated_page_that_arrives_later_sorts_as_new(db, gazetteer):
    dated = "开发区建设\n\n2024年8月27日 星期二\n\n" + UNDATED.replace("平遥", "祁县").replace("文水", "交城")
    ingest_text(db, dated, "dated.txt", gazetteer=gazetteer)
    ingest_text(db, UNDATED, "undated.txt", gazetteer=gazetteer, file_time=FILE_TIME)
    newest = db.execute("SELECT label FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1").fetchone()[0]
    assert "2025年12月22日收到" == newest


@pytest.mark.parametrize("value", ["2025-02-30", "2025-2-3", "20250203", "明天", "2025-13-01", ""])
def test_flag_date_must_be_a_real_date(db, gazetteer, value):
    with pytest.raises(IngestError, match="YYYY-MM-DD"):
        ingest_paths(db, [SEED_FILES[0]], gazetteer=gazetteer, issue_date=value)
    assert 0 == db["issues"].count


@pytest.mark.parametrize(
    ("article", "issue_day", "expected"),
    [
        (Article(ARTICLE, "t", ("b",), published="2024-05-20"), date(2024, 6, 1), "2024-05-20"),
        # A full date the lead quotes gives its day, never its year.
        (Article(ARTICLE, "t", ("b",), published="2020-05-20"), date(2024, 6, 1), "2024-05-20"),
        (Article(ARTICLE, "t", ("b",), published_month_day=(5, 20)), date(2024, 6, 1), "2024-05-20"),
        # Never after the issue's date.
        (Article(ARTICLE, "t", ("b",), published_month_day=(12, 15)), date(2025, 1, 6), "2025-01-06"),
        (Article(ARTICLE, "t", ("b",), published_month_day=(2, 29)), date(2024, 3, 1), "2024-02-29"),
        (Article(ARTICLE, "t", ("b",), published_month_day=(2, 29)), date(2025, 3, 1), "2025-03-01"),
        (Article(ARTICLE, "t", ("b",)), date(2024, 3, 1), "2024-03-01"),
    ],
)
def test_published_date(article, issue_day, expected):
    assert expected == published_date(article, issue_day)


def test_ensure_seeded_ingests_the_seeds_only_into_an_empty_store(db, gazetteer):
    first = ensure_seeded(db, SEEDS_DIR, gazetteer=gazetteer)
    before = dump(db)

    assert [NEW] * len(SEED_FILES) == [outcome.result.status for outcome in first]
    assert [] == ensure_seeded(db, SEEDS_DIR, gazetteer=gazetteer)
    assert before == dump(db)


def test_folder_listing_skips_hidden_and_other_files(tmp_path):
    for name in ("b.txt", "a.TXT", ".hidden.txt", "notes.md", "page.txt.bak"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()

    assert ["a.TXT", "b.txt"] == [path.name for path in ingest.page_files(tmp_path)]
