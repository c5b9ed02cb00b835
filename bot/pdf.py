"""PDF pages -> the text layer summarize.layout reads: characters, pictures, frames and rules.

The only module that calls the PDF library (pdfplumber, on pdfminer.six; see docs/ARCHITECTURE.md
for why that one). `read_pdf` takes the file's bytes and returns one Sheet per page, or raises
PdfError with a one-line Chinese message saying what is wrong and what to do: not a PDF, damaged,
password-protected, no pages, too many pages, or scanned (pictures without a text layer: OCR is
needed first).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from summarize.layout import Glyph, Rect, Sheet

logger = logging.getLogger(__name__)

PDF_SUFFIX = ".pdf"
PDF_MAGIC = b"%PDF-"
# An e-paper page with its photos is 1-10 MB, an issue of 4-8 pages fits in 20 MB, and 20 MB is
# the most a Telegram bot may download: one limit for the CLI, the inbox and uploads.
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 32  # an issue has 4-16 pages; more is not one issue
MAGIC_REACH = 1024  # the PDF header may follow a little junk; readers look this far


class PdfError(Exception):
    """The PDF cannot be read; the message (Chinese) says what is wrong and what to do."""


def is_pdf_name(name: str) -> bool:
    return name.lower().endswith(PDF_SUFFIX)


def read_pdf(data: bytes) -> list[Sheet]:
    """Every page of a PDF as a Sheet (characters, pictures, frames, rules); PdfError if the
    file is not a readable PDF with a text layer."""
    # Imported here: a process that reads no PDF (the bot answering, `zonebrief ask`) starts without them.
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    if not data.strip():
        raise PdfError("文件是空的：请重新导出版面 PDF 后再导入")
    if PDF_MAGIC not in data[:MAGIC_REACH]:
        raise PdfError("这不是 PDF 文件（文件头没有 %PDF-）：请确认文件完整，或把版面另存为 PDF 后重新导入")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise PdfError(f"PDF 有 {len(pdf.pages)} 页，一次最多导入 {MAX_PDF_PAGES} 页：请按期拆分后分别导入")
            sheets = [_sheet(page) for page in pdf.pages]
    except PdfError:
        raise
    except PdfminerException as error:
        if error.args and isinstance(error.args[0], PDFPasswordIncorrect):
            raise PdfError("PDF 设有打开密码（已加密）：请导出不加密的版面 PDF 后重新导入") from None
        raise _damaged(error) from None
    except Exception as error:  # pdfminer raises many kinds of error on a damaged file
        raise _damaged(error) from None
    _check_text_layer(sheets)
    return sheets


def _damaged(error: Exception) -> PdfError:
    logger.debug("reading the PDF failed", exc_info=error)
    return PdfError(f"PDF 文件已损坏，无法读取（{type(error).__name__}）：请重新下载或导出版面 PDF 后再导入")


def _check_text_layer(sheets: list[Sheet]) -> None:
    if not sheets:
        raise PdfError("PDF 里没有任何页面：请重新导出版面 PDF 后再导入")
    scanned = [number for number, sheet in enumerate(sheets, start=1)
               if not sheet.glyphs and any(rect.picture for rect in sheet.rects)]
    if scanned:
        pages = "、".join(map(str, scanned))
        raise PdfError(f"PDF 第 {pages} 页没有文字层（是扫描图片）：需要先做 OCR 文字识别，"
                       "请用带文字层的电子版 PDF，或把 OCR 识别出的文本存成 .txt 后导入")
    if not any(sheet.glyphs for sheet in sheets):
        raise PdfError("PDF 里没有文字：请确认这是《科学导报·开发区建设》的电子版版面")


def _sheet(page: Any) -> Sheet:
    glyphs = tuple(
        Glyph(char["text"], float(char["x0"]), float(char["top"]), float(char["x1"]), float(char["bottom"]),
              float(char["size"]), str(char.get("fontname", "")))
        for char in page.chars
        if char.get("upright", True)
    )
    rects = (
        *_rects(page.rects, picture_if_filled=True),
        *_rects(page.images, picture_if_filled=False, picture=True),
        *_rects(page.lines, picture_if_filled=False),
    )
    return Sheet(float(page.width), float(page.height), glyphs, tuple(rects))


def _rects(objects: Iterable[Mapping[str, Any]], *, picture_if_filled: bool, picture: bool = False) -> list[Rect]:
    """Rectangles, images and lines as Rects: an image, or a filled shape, is a picture."""
    return [
        Rect(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]),
             picture or (picture_if_filled and bool(obj.get("fill"))))
        for obj in objects
    ]
