"""`zonebrief ingest`, `export` and `zones` through click's CliRunner, on the real seed pages and
real SQLite files: what they print, their exit codes, and every kind of bad input."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.db import open_db
from bot.ingest import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
SEED_FILES = sorted(SEEDS_DIR.glob("*.txt"))
EXPORT_KEYS = ["id", "issue", "source", "published", "kind", "zone", "zones", "city", "title", "subtitle",
               "author", "body"]


def run(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(cli, list(args), env={"ZONEBRIEF_DB": None, "ZONEBRIEF_CONFIG": None, **(env or {})})


def dump(path: Path) -> list[str]:
    with open_db(path) as db:
        return list(db.conn.iterdump())


def export(db_path: Path) -> list[dict]:
    result = run("export", "--db", str(db_path))
    assert 0 == result.exit_code, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A store with the seed pages ingested."""
    db_path = tmp_path / "seeded.db"
    result = run("ingest", str(SEEDS_DIR), "--db", str(db_path))
    assert 0 == result.exit_code, result.output
    return db_path


def test_ingest_then_export_every_article_once(seeded):
    rows = export(seeded)

    assert rows and all(EXPORT_KEYS == list(row) for row in rows)
    assert len(rows) == len({row["id"] for row in rows})
    assert {path.name for path in SEED_FILES} == {row["source"] for row in rows}
    assert all(row["body"].strip() and isinstance(row["zones"], list) for row in rows)
    assert all(row["zone"] is None or row["zone"] == row["zones"][0] for row in rows)
    with open_db(seeded) as db:
        assert len(rows) == db["articles"].count
        per_issue = {source: count for source, count in db.execute("SELECT source, article_count FROM issues")}
    assert per_issue == {source: sum(row["source"] == source for row in rows) for source in per_issue}


def test_ingest_prints_one_line_per_file_and_a_total(tmp_path):
    result = run("ingest", str(SEEDS_DIR), "--db", str(tmp_path / "z.db"))

    lines = result.stdout.splitlines()
    assert 0 == result.exit_code
    assert "" == result.stderr
    assert len(SEED_FILES) + 1 == len(lines)
    assert all(line.startswith(f"{path}：新增，") for path, line in zip(SEED_FILES, lines))
    assert lines[-1].startswith(f"合计：新增 {len(SEED_FILES)} 个版面")


def test_second_ingest_adds_nothing(seeded):
    before = dump(seeded)

    result = run("ingest", str(SEEDS_DIR), "--db", str(seeded))

    assert 0 == result.exit_code
    assert [f"{path}：内容未变，跳过" for path in SEED_FILES] == result.stdout.splitlines()[:-1]
    assert "新增文章 0 篇" in result.stdout.splitlines()[-1]
    assert before == dump(seeded)


def bad_empty(tmp_path: Path) -> Path:
    (tmp_path / "empty.txt").write_bytes(b"")
    return tmp_path / "empty.txt"


def bad_blank(tmp_path: Path) -> Path:
    (tmp_path / "blank.txt").write_text("\n \r\n\u3000\n", encoding="utf-8")
    return tmp_path / "blank.txt"


def bad_binary(tmp_path: Path) -> Path:
    (tmp_path / "page.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\x00\x00stream")
    return tmp_path / "page.txt"


def bad_huge(tmp_path: Path) -> Path:
    text = SEED_FILES[0].read_bytes()
    with (tmp_path / "huge.txt").open("wb") as file:
        for _ in range(50 * 1024 * 1024 // len(text) + 1):
            file.write(text)
    assert (tmp_path / "huge.txt").stat().st_size > 50 * 1024 * 1024 > MAX_FILE_BYTES
    return tmp_path / "huge.txt"


def bad_missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-page.txt"


def bad_empty_folder(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    return tmp_path / "inbox"


def bad_folder_without_pages(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "page.txt").write_text(SEED_FILES[0].read_text("utf-8"), encoding="utf-8")
    (folder / "page.tif").write_bytes(b"II*\x00")
    (folder / ".hidden.txt").write_text(SEED_FILES[0].read_text("utf-8"), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (bad_empty, "空"),
        (bad_blank, "空"),
        (bad_binary, "二进制"),
        (bad_huge, "文件太大"),
        (bad_missing, "找不到"),
        (bad_empty_folder, "没有版面文件"),
        (bad_folder_without_pages, "没有版面文件"),
    ],
)
def test_bad_input_fails_alone_and_changes_nothing(tmp_path, make, says):
    assert_refused_and_store_unchanged(tmp_path, make, says)


def assert_refused_and_store_unchanged(tmp_path: Path, make, says: str) -> None:
    """`zonebrief ingest` of what `make` writes: exit 1, one error line saying `says`, the store
    (holding a seed page) unchanged."""
    db_path = tmp_path / "z.db"
    assert 0 == run("ingest", str(SEED_FILES[0]), "--db", str(db_path)).exit_code
    before = dump(db_path)
    bad = make(tmp_path)

    result = run("ingest", str(bad), "--db", str(db_path))

    assert 1 == result.exit_code
    [line] = result.stderr.splitlines()
    assert line.startswith(f"错误：{bad}：") and says in line
    assert "Traceback" not in result.output
    assert before == dump(db_path)


def test_other_files_of_a_failing_run_are_ingested(tmp_path):
    db_path = tmp_path / "z.db"
    bad = bad_binary(tmp_path)

    result = run("ingest", str(SEED_FILES[0]), str(bad), str(tmp_path / "missing.txt"), str(SEED_FILES[1]),
                 "--db", str(db_path))

    assert 1 == result.exit_code
    assert 2 == len(result.stderr.splitlines())
    assert {SEED_FILES[0].name, SEED_FILES[1].name} == {row["source"] for row in export(db_path)}
    assert "失败 2 个" in result.stdout.splitlines()[-1]


def test_gbk_page_is_ingested_like_its_utf8_original(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SEED_FILES[2].read_text("utf-8").encode("gb18030"))

    result = run("ingest", str(gbk), "--db", str(tmp_path / "a.db"))
    run("ingest", str(SEED_FILES[2]), "--db", str(tmp_path / "b.db"))

    assert 0 == result.exit_code
    strip = [{key: value for key, value in row.items() if key not in {"source", "issue"}} for row in export(tmp_path / "a.db")]
    assert strip == [{key: value for key, value in row.items() if key not in {"source", "issue"}}
                     for row in export(tmp_path / "b.db")]


def test_date_and_issue_flags_win_and_are_recorded(tmp_path):
    db_path = tmp_path / "z.db"

    result = run("ingest", str(SEED_FILES[0]), "--db", str(db_path), "--date", "2025-12-22", "--issue", "2025年第50期")

    assert 0 == result.exit_code
    assert "2025年第50期，2025-12-22，日期取自 --date" in result.stdout
    assert {"2025年第50期"} == {row["issue"] for row in export(db_path)}
    with open_db(db_path) as db:
        assert [("2025-12-22", "flag", "2025年第50期")] == db.execute(
            "SELECT issue_date, date_source, label FROM issues").fetchall()


@pytest.mark.parametrize("value", ["2025-02-30", "22/12/2025", "昨天"])
def test_bad_date_flag_is_one_line_and_creates_nothing(tmp_path, value):
    db_path = tmp_path / "z.db"

    result = run("ingest", str(SEED_FILES[0]), "--db", str(db_path), "--date", value)

    assert 1 == result.exit_code
    [line] = result.stderr.splitlines()
    assert line.startswith("错误：--date：") and value in line and "YYYY-MM-DD" in line
    assert not db_path.exists()


def test_ingest_without_paths_says_how(tmp_path):
    result = run("ingest", "--db", str(tmp_path / "z.db"))

    assert 1 == result.exit_code
    assert ["错误：请给出要导入的版面文件或文件夹，例如：zonebrief ingest seeds/"] == result.stderr.splitlines()


def test_database_path_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = run("ingest", str(SEED_FILES[0]), env={"ZONEBRIEF_DB": str(tmp_path / "env.db")})

    assert 0 == result.exit_code
    assert (tmp_path / "env.db").exists() and not (tmp_path / "zonebrief.db").exists()
    assert {SEED_FILES[0].name} == {row["source"] for row in export(tmp_path / "env.db")}


def test_without_db_in_flag_env_or_config_the_database_is_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bare.toml").write_text(f"zones_csv = {json.dumps(str(ROOT / 'config' / 'zones.csv'))}\n",
                                        encoding="utf-8")

    assert 0 == run("ingest", str(SEED_FILES[0]), env={"ZONEBRIEF_CONFIG": str(tmp_path / "bare.toml")}).exit_code
    assert (tmp_path / "zonebrief.db").exists()


@pytest.mark.parametrize("command", ["export", "zones"])
def test_read_commands_need_an_existing_database_and_do_not_create_one(tmp_path, command):
    db_path = tmp_path / "missing.db"

    result = run(command, "--db", str(db_path))

    assert 1 == result.exit_code
    [line] = result.stderr.splitlines()
    assert line.startswith(f"错误：找不到数据库 {db_path}") and "zonebrief ingest" in line
    assert not db_path.exists()


@pytest.mark.parametrize("command", ["export", "zones"])
def test_read_commands_refuse_a_file_that_is_not_a_database(tmp_path, command):
    not_db = tmp_path / "notes.db"
    not_db.write_text("这不是数据库", encoding="utf-8")

    result = run(command, "--db", str(not_db))

    assert 1 == result.exit_code
    [line] = result.stderr.splitlines()
    assert line.startswith(f"错误：无法打开数据库 {not_db}")


def test_zones_lists_zones_with_their_article_counts(seeded: Path) -> None:
    rows = export(seeded)
    counts: dict[str, int] = {}
    for row in rows:
        for zone in row["zones"]:
            counts[zone] = counts.get(zone, 0) + 1

    result = run("zones", "--db", str(seeded))

    assert 0 == result.exit_code
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["开发区", "城市", "文章数"]
    listed = {line.split()[0]: int(line.split()[-1]) for line in lines[1:-1]}
    assert counts == listed
    assert f"共 {len(counts)} 个开发区" == lines[-1]


def test_zones_all_lists_the_whole_gazetteer(seeded):
    with open_db(seeded) as db:
        total = db["zones"].count

    result = run("zones", "--all", "--db", str(seeded))

    assert 0 == result.exit_code
    assert f"共 {total} 个开发区" == result.stdout.splitlines()[-1]
    assert total + 2 == len(result.stdout.splitlines())


def test_zones_on_an_empty_store_says_what_to_do(tmp_path):
    db_path = tmp_path / "z.db"
    open_db(db_path).close()

    result = run("zones", "--db", str(db_path))

    assert 0 == result.exit_code
    assert "zonebrief ingest" in result.stdout


def test_a_copy_of_the_seeds_folder_is_unchanged_content(seeded, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(SEEDS_DIR, copy)
    before = dump(seeded)

    result = run("ingest", str(copy), "--db", str(seeded))

    assert 0 == result.exit_code
    assert all("内容未变" in line for line in result.stdout.splitlines()[:-1])
    assert before == dump(seeded)


def test_a_folder_that_cannot_be_listed_is_one_chinese_line_and_the_other_paths_still_run(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    list_folder = Path.iterdir

    def iterdir(self):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return list_folder(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    db_path = tmp_path / "z.db"

    result = run("ingest", str(locked), str(SEED_FILES[0]), "--db", str(db_path))

    assert 1 == result.exit_code
    [error] = result.stderr.splitlines()
    assert error.startswith(f"错误：{locked}：无法访问（Permission denied）") and "权限" in error
    assert [SEED_FILES[0].name] == [row["source"] for row in export(db_path)][:1]


def test_paths_are_not_vetted_by_click_so_a_mistake_never_stops_the_run_in_english(tmp_path, monkeypatch):
    """click would refuse a path os.access calls unreadable with an English usage error."""
    monkeypatch.setattr("os.access", lambda *args, **kwargs: False)

    result = run("ingest", str(SEED_FILES[0]), "--db", str(tmp_path / "z.db"))

    assert 0 == result.exit_code, result.output


@pytest.mark.parametrize("make", [lambda path: path.mkdir(), lambda path: None])
def test_a_config_path_that_is_not_a_readable_file_is_one_chinese_line(tmp_path, make):
    config = tmp_path / "zonebrief.toml"
    make(config)

    result = run("--config", str(config), "zones", "--db", str(tmp_path / "z.db"))

    assert 1 == result.exit_code
    [error] = result.stderr.splitlines()
    assert error.startswith("错误：") and str(config) in error
    assert not (tmp_path / "z.db").exists()


def test_a_long_run_off_a_terminal_reports_its_progress_in_whole_lines(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    files = [*SEED_FILES, *sorted((ROOT / "tests" / "data" / "heldout").glob("*.txt"))]
    for path in files:
        shutil.copy(path, pages / path.name)

    result = run("ingest", str(pages), "--db", str(tmp_path / "z.db"))  # CliRunner's stderr is no terminal

    assert 0 == result.exit_code, result.output
    lines = result.stderr.splitlines()
    total = len(files)
    step = -(-total // 10)
    expected = [*range(step, total, step), total]
    assert [f"导入进度：{done}/{total} 个文件（{done * 100 // total}%）" for done in expected] == [
        line.split("，用时")[0] for line in lines
    ]
    assert all(re.fullmatch(r".*，用时 \d+\.\d 秒", line) for line in lines)
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert total == sum(line.startswith(str(pages)) for line in result.stdout.splitlines())


def test_a_short_run_reports_no_progress(tmp_path):
    result = run("ingest", str(SEEDS_DIR), "--db", str(tmp_path / "z.db"))

    assert 0 == result.exit_code, result.output
    assert "" == result.stderr


def test_a_long_run_on_a_terminal_draws_a_bar(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for path in [*SEED_FILES, *sorted((ROOT / "tests" / "data" / "heldout").glob("*.txt"))]:
        shutil.copy(path, pages / path.name)
    main, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(pages), "--db", str(tmp_path / "z.db")],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    drawn = b""
    with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
        while chunk := os.read(main, 4096):
            drawn += chunk
    os.close(main)

    assert 0 == process.wait(timeout=120)
    assert "导入: 100%" in drawn.decode() and b"\r" in drawn and "导入进度" not in drawn.decode()
