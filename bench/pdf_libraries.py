"""pdfplumber against PyMuPDF on the same PDF pages: the characters, their positions and sizes,
and the time to extract them (docs/ARCHITECTURE.md says why ZoneBrief uses pdfplumber).

PyMuPDF is AGPL and not in requirements.lock, so this runs in a scratch environment:

    python -m venv /tmp/pdfcmp && /tmp/pdfcmp/bin/pip install pymupdf pdfplumber==0.11.10
    .venv/bin/python tests/pdfpages.py /tmp/pages        # the pages bench.pdf reads
    /tmp/pdfcmp/bin/python bench/pdf_libraries.py /tmp/pages
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pdfplumber
import pymupdf

RUNS = 3
TOLERANCE = 0.5  # points


def with_pdfplumber(data: bytes) -> list[tuple[str, float, float]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(c["text"], c["x0"], c["size"]) for page in pdf.pages for c in page.chars]


def with_pymupdf(data: bytes) -> list[tuple[str, float, float]]:
    found: list[tuple[str, float, float]] = []
    with pymupdf.open(stream=data, filetype="pdf") as document:
        for page in document:
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        found.extend((char["c"], char["bbox"][0], span["size"]) for char in span["chars"])
    return found


def fastest(extract, data: bytes) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        extract(data)
        best = min(best, time.perf_counter() - start)
    return best


def inked(chars: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    return sorted(char for char in chars if not char[0].isspace())


def main(folder: str) -> None:
    files = sorted(Path(folder).glob("*.pdf"))
    plumber_s = mupdf_s = 0.0
    same_text = agree = total = 0
    for path in files:
        data = path.read_bytes()
        plumber_s += fastest(with_pdfplumber, data)
        mupdf_s += fastest(with_pymupdf, data)
        ours, theirs = inked(with_pdfplumber(data)), inked(with_pymupdf(data))
        same_text += [c[0] for c in ours] == [c[0] for c in theirs]
        total += len(ours)
        agree += sum(a[0] == b[0] and abs(a[1] - b[1]) <= TOLERANCE and abs(a[2] - b[2]) <= TOLERANCE
                     for a, b in zip(ours, theirs))
    count = len(files)
    print(f"{count} pages: pdfplumber {1000 * plumber_s / count:.1f} ms a page, PyMuPDF {1000 * mupdf_s / count:.1f}"
          f" ms a page ({plumber_s / mupdf_s:.1f} times faster)")
    print(f"same characters on {same_text}/{count} pages; x0 and size within {TOLERANCE} pt: {agree}/{total}")


if __name__ == "__main__":
    main(sys.argv[1])
