"""The console transport (`zonebrief ask`, `zonebrief chat`) and the settings it runs with."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import DEFAULT_CONFIG, Settings, load_settings
from bot.db import open_db


def test_bundled_config_resolves_its_paths_against_its_own_folder():
    settings = load_settings({}, DEFAULT_CONFIG)
    assert "zonebrief.db" == settings.db  # the working directory, unless --db or $ZONEBRIEF_DB
    assert Path(settings.zones_csv).is_file()
    assert Path(settings.seeds).is_dir()
    assert ("Asia/Shanghai", "monday", "09:00", 5, False) == (
        settings.timezone, settings.digest_day, settings.digest_time,
        settings.inbox_poll_seconds, settings.digest_send_empty,
    )


def test_environment_overrides_every_key_of_the_file(tmp_path):
    environ = {"ZONEBRIEF_DB": "other.db", "ZONEBRIEF_ADMINS": "12, 34", "ZONEBRIEF_DIGEST_SEND_EMPTY": "yes",
               "ZONEBRIEF_INBOX_POLL_SECONDS": "5", "ZONEBRIEF_TOKEN": "123:abc"}
    settings = load_settings(environ, DEFAULT_CONFIG)
    assert ("other.db", (12, 34), True, 5, "123:abc") == (
        settings.db, settings.admins, settings.digest_send_empty, settings.inbox_poll_seconds, settings.token,
    )


def zonebrief(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    """Run `zonebrief ARGS` in-process, as the console script would."""
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def button_data(output: str, label_start: str) -> list[str]:
    return re.findall(rf"^\[{re.escape(label_start)}[^\]]*\] → (\S+)$", output, flags=re.MULTILINE)


@pytest.mark.parametrize("query", ["晋城", "晉城", "jincheng", "晋城经开区"])
def test_ask_zone_names_the_zone_and_lists_its_article(store_path, query):
    result = zonebrief("ask", f"/zone {query}", "--db", str(store_path))
    assert 0 == result.exit_code
    assert "晋城经济技术开发区" in result.output and "构筑校地合作新生态" in result.output
    assert "<b>" not in result.output  # plain text, not Telegram's HTML
    assert button_data(result.output, "摘要：构筑校地合作新生态")


def test_ask_city_lists_its_zones(store_path):
    output = zonebrief("ask", "/zone 吕梁", "--db", str(store_path)).output
    assert all(f"• {zone}" in output for zone in ["吕梁经济技术开发区", "孝义经济开发区"])
    assert "另有 4 个开发区暂无报道" in output and "→ cq:吕梁" in output


def test_ask_unknown_zone_offers_suggestions_as_buttons(store_path):
    output = zonebrief("ask", "/zone 晋城高新区", "--db", str(store_path)).output
    assert output.startswith("没有找到“晋城高新区”")
    assert "[晋城经济技术开发区" in output


def test_ask_press_follows_a_button(store_path):
    card = zonebrief("ask", "/zone 晋城经开区", "--db", str(store_path)).output
    [data] = button_data(card, "摘要")
    summary = zonebrief("ask", "--press", data, "--db", str(store_path))
    assert 0 == summary.exit_code
    assert "构筑校地合作新生态" in summary.output and "摘要：" in summary.output
    assert button_data(summary.output, "阅读全文")


def test_subscriptions_persist_per_chat_between_runs(store_path):
    zonebrief("ask", "/subscribe 吕梁", "--db", str(store_path), "--chat-id", "77")
    assert "吕梁" in zonebrief("ask", "/subscriptions", "--db", str(store_path), "--chat-id", "77").output
    assert "你还没有订阅" in zonebrief("ask", "/subscriptions", "--db", str(store_path)).output


@pytest.mark.parametrize("args", [[], ["/zone 晋城", "--press", "sum:1"]])
def test_ask_wants_a_message_or_a_button(store_path, args):
    result = zonebrief("ask", *args, "--db", str(store_path))
    assert 1 == result.exit_code
    assert result.output.startswith("错误：请给出一条消息、一个 --press 按钮或一个 --inline 查询") and 1 == len(result.output.splitlines())


def test_chat_converses_and_presses_buttons_typed_as_their_data(store_path):
    card = zonebrief("ask", "/zone 晋城经开区", "--db", str(store_path)).output
    [data] = button_data(card, "摘要")
    result = zonebrief("chat", "--db", str(store_path), input=f"/zone 吕梁\n{data}\n\n/quit\n/zone 晋城\n")
    assert 0 == result.exit_code
    assert "吕梁经济技术开发区" in result.output and "构筑校地合作新生态" in result.output
    assert "发送 /help" in result.output  # the empty line
    assert "高平经济技术开发区" not in result.output  # nothing after /quit


def test_chat_on_a_fresh_clone_seeds_an_empty_store_first(tmp_path):
    """What the README's first command does: no store, no token, no network."""
    store = tmp_path / "fresh.db"
    result = zonebrief("chat", input="/zone 晋城\n", env={"ZONEBRIEF_DB": str(store), "ZONEBRIEF_TOKEN": ""})
    assert 0 == result.exit_code
    assert "构筑校地合作新生态" in result.output
    with open_db(store) as db:
        assert len(list(Path(Settings().seeds).glob("*.txt"))) == db["issues"].count


@pytest.mark.parametrize("query, first", [("晋城", "晋城（城市）"), ("jincheng", "晋城（城市）"),
                                          ("晋城经开区", "晋城经济技术开发区"), ("光机电", "构筑校地合作新生态")])
def test_ask_inline_lists_results_and_pressing_one_shows_the_briefing_it_posts(store_path, query, first):
    listing = zonebrief("ask", "--inline", query, "--db", str(store_path)).output
    assert listing.startswith(f"[{first}]")
    [data] = re.findall(r"^\[构筑校地合作新生态\] .* → (inline:\S+)$", listing, flags=re.MULTILINE)
    assert data.startswith("inline:a:")
    briefing = zonebrief("ask", "--press", data, "--db", str(store_path)).output
    assert "构筑校地合作新生态" in briefing and f"编号 {data.split(':')[-1]}" in briefing and "来源：《科学导报》" in briefing


def test_chat_takes_an_inline_query_typed_as_at_bot(store_path):
    output = zonebrief("chat", "--db", str(store_path), input="@zonebrief_bot 晋城\ninline:c:晋城\ninline:a:x\n").output
    assert "[晋城（城市）] 4 个开发区" in output and "→ inline:c:晋城" in output
    assert "晋城：4 个开发区，1 个有报道" in output and "没有这个内联结果" in output
    assert "没有结果" in zonebrief("ask", "--inline", "完全不相干的词语组合", "--db", str(store_path)).output
