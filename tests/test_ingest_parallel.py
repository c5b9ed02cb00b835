"""Many page files are parsed and tokenised in worker processes and written in order: the store and
every file's outcome are exactly what ingesting them one after another gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot import ingest
from bot.db import open_db
from bot.ingest import export_articles, ingest_paths

ROOT = Path(__file__).resolve().parent.parent


def pages(folder: Path) -> Path:
    """The held-out and seed pages, an empty page and a binary one: 18 files."""
    folder.mkdir()
    for path in [*sorted((ROOT / "tests" / "data" / "heldout").glob("*.txt")), *sorted((ROOT / "seeds").glob("*.txt"))]:
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_text("\n\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return folder


def test_worker_processes_store_what_one_process_stores(tmp_path, text_tools, monkeypatch):
    folder = pages(tmp_path / "pages")
    parallel = tmp_path / "parallel.db"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "-v", "ingest", "--db", str(parallel), str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert 1 == done.returncode  # the empty and the binary page fail, alone
    if ingest.usable_cpus() > 1:
        assert f"preparing 18 files in {min(ingest.usable_cpus(), ingest.MAX_WORKERS)} worker processes" in done.stderr

    gazetteer = text_tools[0]
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 10**6)
    with open_db(tmp_path / "serial.db") as db:
        outcomes = ingest_paths(db, [folder], gazetteer=gazetteer)
        serial_articles = list(export_articles(db))
    with open_db(parallel) as db:
        assert serial_articles == list(export_articles(db))
    lines = [line for line in done.stdout.splitlines() if line.startswith(str(folder))]
    errors = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    assert [outcome.path.name for outcome in outcomes if outcome.result] == [Path(line.split("：")[0]).name for line in lines]
    assert [f"错误：{outcome.path}：{outcome.error}" for outcome in outcomes if outcome.error] == errors


def test_a_process_allowed_one_cpu_prepares_its_files_itself(tmp_path):
    folder = pages(tmp_path / "pages")
    one_cpu = min(os.sched_getaffinity(0))
    done = subprocess.run([sys.executable, "-m", "bot.cli", "-v", "ingest", "--db", str(tmp_path / "z.db"), str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.sched_setaffinity(0, {one_cpu}))
    assert 1 == done.returncode  # the empty and the binary page fail, alone
    assert "worker processes" not in done.stderr
    assert 16 == sum(line.startswith(str(folder)) for line in done.stdout.splitlines())  # every page stored
