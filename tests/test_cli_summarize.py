"""`zonebrief summarize` through click's CliRunner, on real seed text: stdin, --jsonl and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from summarize import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = next((ROOT / "seeds").glob("000_*.txt")).read_text("utf-8")
# Two articles as a page prints them: kicker, title, dateline, body, byline.
QINGXU = SEED_000[SEED_000.index("清徐经济开发区\n") : SEED_000.index("盐湖高新区\n")]
DATONG = SEED_000[SEED_000.index("大同经济技术开发区 首创基金成功备案") : SEED_000.index("山西转型综改示范区山西煤机新厂区")]


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(cli, ["summarize", *args], input=stdin, env={"ZONEBRIEF_CONFIG": None})


def assert_one_line_error(result, *fragments: str) -> None:
    assert 0 != result.exit_code
    lines = result.stderr.strip().splitlines()
    assert 1 == len(lines), result.stderr
    assert lines[0].startswith("错误：")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_stdin():
    result = run(stdin=QINGXU)
    assert 0 == result.exit_code, result.output
    summary = result.stdout.strip()
    assert summary.startswith("7月17日，清徐经济开发区数智制造市域产教联合体成立并启动。")
    assert len(summary) <= 150
    sentences = split_sentences(QINGXU)
    assert all(any(piece in sentence for sentence in sentences) for piece in split_sentences(summary))


def test_issue_3_one_megabyte_without_punctuation_is_cut_at_the_budget():
    text = "开发区项目建设" * 150_000
    result = run(stdin=text + "\n")
    assert 0 == result.exit_code, result.output
    summary = result.stdout.strip()
    assert summary == text[:149] + "…"


def test_issue_3_a_long_sentence_gives_whole_clauses_within_the_budget():
    sentence = "".join(split_sentences(QINGXU)[3:12]).replace("。", "，")[:-1] + "。"
    assert len(sentence) > 300
    result = run("--max-chars", "100", stdin=sentence)
    assert 0 == result.exit_code, result.output
    summary = result.stdout.strip()
    assert 50 <= len(summary) <= 100 and summary.endswith("…")
    assert sentence.startswith(summary[:-1]) and sentence[len(summary) - 1] in "，、：, "


def test_stdin_with_budget_and_backend():
    result = run("--max-chars", "60", "--max-sentences", "1", "--backend", "textrank4zh", stdin=QINGXU)
    assert 0 == result.exit_code, result.output
    assert 1 == len(split_sentences(result.stdout.strip()))


def test_jsonl_file(tmp_path):
    path = tmp_path / "articles.jsonl"
    lines = [{"id": "qingxu", "text": QINGXU}, {"id": 2, "text": DATONG, "title": "首创基金成功备案"}]
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n", encoding="utf-8")
    result = run("--jsonl", str(path))
    assert 0 == result.exit_code, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert ["qingxu", 2] == [record["id"] for record in records]
    for record in records:
        assert ["figures", "id", "keywords", "sentences", "summary"] == sorted(record)
        assert record["summary"] == "".join(record["sentences"])
        assert record["keywords"]
    assert "5亿元" in [figure["value"] for figure in records[1]["figures"]]
    assert {"value", "number", "unit", "measure", "sentence", "kind", "period"} == set(records[1]["figures"][0])


def test_jsonl_from_stdin():
    result = run("--jsonl", "-", stdin=json.dumps({"id": "a", "text": DATONG}, ensure_ascii=False) + "\n")
    assert 0 == result.exit_code, result.output
    assert "a" == json.loads(result.stdout)["id"]


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--backend", "bert"], ["bert", "ours", "textrank4zh"]),
        (["--max-chars", "0"], ["--max-chars", "正整数"]),
        (["--max-chars", "abc"], ["--max-chars", "abc"]),
        (["--max-sentences", "-1"], ["--max-sentences", "正整数"]),
    ],
)
def test_bad_options(args, fragments):
    assert_one_line_error(run(*args, stdin=QINGXU), *fragments)


@pytest.mark.parametrize("stdin", ["", "  \n\n  "])
def test_empty_stdin(stdin):
    assert_one_line_error(run(stdin=stdin), "没有读到文章", "zonebrief summarize <")


def test_stdin_with_only_a_byline():
    assert_one_line_error(run(stdin="科学导报 记者王波\n"), "找不到可以作摘要的句子")


def test_stdin_not_utf8():
    assert_one_line_error(run(stdin="项目开工。".encode("gbk")), "UTF-8")


def test_unreadable_jsonl_file(tmp_path):
    assert_one_line_error(run("--jsonl", str(tmp_path / "missing.jsonl")), "missing.jsonl", "文件不存在")
    assert_one_line_error(run("--jsonl", str(tmp_path)), "这是一个文件夹")


@pytest.mark.parametrize(
    "second_line, fragments",
    [
        ('{"id": 2, "text": "项目开工。"', ["第 2 行", "不是有效的 JSON"]),
        ('{"id": 2}', ["第 2 行", "text"]),
        ('{"text": "项目开工。"}', ["第 2 行", "id"]),
        ('["项目开工。"]', ["第 2 行"]),
    ],
)
def test_bad_jsonl_line_is_named(tmp_path, second_line, fragments):
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps({"id": 1, "text": DATONG}, ensure_ascii=False) + "\n" + second_line + "\n", "utf-8")
    result = run("--jsonl", str(path))
    assert_one_line_error(result, str(path), *fragments)
    assert 1 == len(result.stdout.splitlines())  # the good first line was summarised


def test_jsonl_not_utf8(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_bytes(json.dumps({"id": 1, "text": "项目开工。"}).encode() + b"\n" + '{"id": 2, "text": "项目开工。"}'.encode("gbk"))
    assert_one_line_error(run("--jsonl", str(path)), "第 2 行", "UTF-8")


def test_help_is_chinese():
    result = run("--help")
    assert 0 == result.exit_code
    assert "摘要" in result.output and "--jsonl" in result.output
