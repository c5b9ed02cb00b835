"""PDF pages end to end: generated broadsheet pages (tests/pdfpages.py) read by summarize.layout
through bot/pdf.py; `zonebrief ingest PAGE.pdf`, the inbox, an admin's upload; every kind of bad
PDF (one Chinese line, exit 1, the store unchanged)."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest
from pdfpages import HELD_OUT_PAGES, PAGES, build_page, held_out_pages, register_fonts, tuning_pages
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from test_cli_ingest import assert_refused_and_store_unchanged, export, run

from bot import admin, inbox
from bot.db import open_db
from bot.config import Settings
from bot.ingest import ingest_paths, load_gazetteer
from bot.pdf import MAX_PDF_BYTES, MAX_PDF_PAGES, PdfError, read_pdf
from bot.service import ZoneService
from summarize.layout import read_sheets
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
RANDOM_TUNING_PAGES = 12
RANDOM_HELD_OUT_PAGES = 8


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(ROOT / "config" / "zones.csv")


def records(page) -> list[tuple]:
    return [(a.kind, a.zone, a.title, a.author, a.body[0][:12], a.body[-1][-12:]) for a in page.articles]


def expected_records(expected) -> list[tuple]:
    return [(e.kind, e.zone, e.title, e.author, e.start, e.end) for e in expected]


def buildable(specs):
    for spec in specs:
        try:
            yield spec, *build_page(spec)
        except ValueError:  # the random rows did not fit on the page
            continue


@pytest.mark.parametrize("spec", PAGES + HELD_OUT_PAGES, ids=lambda spec: spec.name)
def test_every_record_of_a_generated_page(spec, gazetteer):
    data, expected = build_page(spec)
    page = read_sheets(read_pdf(data), gazetteer)
    assert expected_records(expected) == records(page)
    assert (f"{spec.day.year}年第{spec.issue}期", spec.day.isoformat()) == (page.issue_label, page.masthead_date)
    assert () == page.fragments


@pytest.mark.parametrize("specs", [tuning_pages(RANDOM_TUNING_PAGES), held_out_pages(RANDOM_HELD_OUT_PAGES)],
                         ids=["tuning", "held_out"])
def test_random_layouts(specs, gazetteer):
    """Random column counts, spans, boxes and photos: all but one record in twenty right."""
    right = total = 0
    for spec, data, expected in buildable(specs):
        page = read_sheets(read_pdf(data), gazetteer)
        got, want = records(page), expected_records(expected)
        right += sum(1 for record in want if record in got)
        total += max(len(want), len(got))
        assert spec.day.isoformat() == page.masthead_date
    assert total > 50 and right >= 0.95 * total


def write_page(tmp_path: Path, index: int = 0, name: str | None = None) -> Path:
    data, _ = build_page(PAGES[index])
    path = tmp_path / (name or f"{PAGES[index].name}.pdf")
    path.write_bytes(data)
    return path


def test_cli_ingests_a_pdf_page_like_a_text_page(tmp_path):
    page = write_page(tmp_path)
    db_path = tmp_path / "z.db"

    result = run("ingest", str(page), "--db", str(db_path))

    assert 0 == result.exit_code, result.output
    rows = export(db_path)
    _, expected = build_page(PAGES[0])
    assert [e.title for e in expected] == [row["title"] for row in rows]
    assert {"2025年第10期"} == {row["issue"] for row in rows}
    again = run("ingest", str(page), "--db", str(db_path))
    assert 0 == again.exit_code and "跳过" in again.stdout


def test_a_pdf_of_several_pages_is_one_issue_with_every_page(tmp_path, gazetteer):
    first, _ = build_page(PAGES[0])
    second, _ = build_page(PAGES[1])
    merged = tmp_path / "issue.pdf"
    merged.write_bytes(_concatenate(first, second))

    result = run("ingest", str(merged), "--db", str(tmp_path / "z.db"))

    assert 0 == result.exit_code, result.output
    titles = [row["title"] for row in export(tmp_path / "z.db")]
    assert titles == [e.title for e in build_page(PAGES[0])[1]] + [e.title for e in build_page(PAGES[1])[1]]


def _concatenate(*documents: bytes) -> bytes:
    """Pages of several PDFs in one, drawn again from their text layer is not needed: pypdfium2
    (installed with pdfplumber) imports pages."""
    import pypdfium2

    merged = pypdfium2.PdfDocument.new()
    for data in documents:
        merged.import_pages(pypdfium2.PdfDocument(data))
    buffer = io.BytesIO()
    merged.save(buffer)
    return buffer.getvalue()


def _canvas_pdf(draw, **options) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842), **options)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _text(pdf) -> None:
    pdf.setFont("ZBHei", 12)
    pdf.drawString(60, 700, "晋城经开区新闻")


def _scan(pdf) -> None:
    pdf.drawImage(ImageReader(Image.new("RGB", (40, 60), (200, 200, 200))), 40, 40, 500, 760)


def bad_encrypted(tmp_path: Path) -> Path:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_canvas_pdf(_text, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner")))
    return path


def bad_damaged(tmp_path: Path) -> Path:
    data, _ = build_page(PAGES[0])
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    return path


def bad_empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    return path


def bad_blank(tmp_path: Path) -> Path:
    path = tmp_path / "blank.pdf"
    path.write_bytes(_canvas_pdf(lambda pdf: None))
    return path


def bad_scanned(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_canvas_pdf(_scan))
    return path


def bad_not_a_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "page.pdf"
    path.write_text("开发区建设", encoding="utf-8")
    return path


def bad_huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as file:
        file.write(write_page(tmp_path, name="real.pdf").read_bytes())
        file.truncate(50 * 1024 * 1024)  # 50 MB (sparse: quick to make)
    assert path.stat().st_size > MAX_PDF_BYTES
    return path


def bad_no_articles(tmp_path: Path) -> Path:
    path = tmp_path / "masthead.pdf"
    path.write_bytes(_canvas_pdf(_text))
    return path


@pytest.mark.parametrize(("make", "says"), [
    (bad_encrypted, "密码"),
    (bad_damaged, "损坏"),
    (bad_empty, "空"),
    (bad_blank, "没有文字"),
    (bad_scanned, "OCR"),
    (bad_not_a_pdf, "不是 PDF"),
    (bad_huge, "文件太大"),
    (bad_no_articles, "没有找到任何文章"),
])
def test_bad_pdf_fails_alone_and_changes_nothing(tmp_path, make, says):
    assert_refused_and_store_unchanged(tmp_path, make, says)


def test_a_pdf_with_only_an_owner_password_is_read():
    """Copy protection without an opening password: the page opens, so it is read."""
    data = _canvas_pdf(_text, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0))
    [sheet] = read_pdf(data)
    assert "晋城经开区新闻" == "".join(glyph.text for glyph in sheet.glyphs)


def test_too_many_pages_are_refused():
    def many(pdf) -> None:
        for _ in range(MAX_PDF_PAGES):
            _text(pdf)
            pdf.showPage()

    with pytest.raises(PdfError, match=f"最多导入 {MAX_PDF_PAGES} 页"):
        read_pdf(_canvas_pdf(many))


def test_inbox_takes_pdf_pages(tmp_path, text_tools):
    gazetteer = text_tools[0]
    folder = tmp_path / "inbox"
    folder.mkdir()
    page = write_page(folder)
    old = datetime.now(UTC).timestamp() - 60
    os.utime(page, (old, old))

    with open_db(tmp_path / "z.db") as db:
        box, now = inbox.Inbox(folder), datetime.now(UTC)
        assert [] == box.poll(db, gazetteer=gazetteer, now=now)  # first seen
        [outcome] = box.poll(db, gazetteer=gazetteer, now=now + timedelta(seconds=1))
        assert outcome.ok and outcome.moved_to == folder / "done" / page.name
        assert len(build_page(PAGES[0])[1]) == db["articles"].count


def test_an_admin_upload_of_a_pdf_is_ingested(tmp_path, text_tools):
    gazetteer, tokenizer = text_tools

    settings = Settings(db=str(tmp_path / "z.db"), inbox=str(tmp_path / "inbox"))
    with open_db(settings.db) as db:
        service = ZoneService(db, gazetteer, tokenizer)
        data, expected = build_page(PAGES[1])
        answer = admin.ingest_upload(service, settings, "page2.pdf", data, datetime.now(UTC))
        assert answer.startswith("已导入 page2-") and f"{len(expected)} 篇文章" in answer  # a name of its own
        refused = admin.ingest_upload(service, settings, "scan.pdf", _canvas_pdf(_scan), datetime.now(UTC))
        assert "OCR" in refused and len(expected) == db["articles"].count


def test_ingest_paths_reads_pdfs_in_a_folder(tmp_path, text_tools):
    gazetteer = text_tools[0]
    write_page(tmp_path, 0)
    write_page(tmp_path, 1)

    with open_db(tmp_path / "z.db") as db:
        outcomes = ingest_paths(db, [tmp_path], gazetteer=gazetteer)
        assert [None, None] == [outcome.error for outcome in outcomes]
        assert 2 == db["issues"].count
