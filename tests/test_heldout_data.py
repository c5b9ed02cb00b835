"""The held-out pages (tests/data/heldout) and their expected records agree with each other.

What the reader makes of them is measured by `python -m bench.pages`, not asserted here: the set
is for scoring, never for tuning.
"""

from __future__ import annotations

import json
from pathlib import Path

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"


def test_every_heldout_page_has_expected_records_whose_text_it_prints():
    expected = json.loads((HELDOUT / "expected.json").read_text("utf-8"))
    assert sorted(expected) == sorted(path.stem for path in HELDOUT.glob("*.txt"))
    assert len(expected) >= 10
    for name, want in expected.items():
        printed = "".join((HELDOUT / f"{name}.txt").read_text("utf-8").split())
        for record in want["records"]:
            assert record["kind"] in ("article", "photo")
            assert "".join(record["first"].split()) in printed, (name, record["first"])
            assert "".join(record["last"].split()) in printed, (name, record["last"])
