"""Settings: the TOML file, ZONEBRIEF_<KEY> overrides, and a clear one-line error for every mistake."""

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, load_settings


def write(tmp_path, text):
    path = tmp_path / "zonebrief.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_and_paths_relative_to_the_file(tmp_path):
    path = write(tmp_path, 'db = "data/zb.db"\nadmins = [1, 2]\ninbox_poll_seconds = 5\ndigest_send_empty = true\n')
    settings = load_settings({}, path)
    assert (str(tmp_path / "data" / "zb.db"), (1, 2), 5, True) == (
        settings.db, settings.admins, settings.inbox_poll_seconds, settings.digest_send_empty)


def test_environment_wins_over_the_file_and_config_path_from_environment(tmp_path):
    path = write(tmp_path, 'admins = [1]\ntimezone = "Asia/Shanghai"\n')
    settings = load_settings({"ZONEBRIEF_CONFIG": str(path), "ZONEBRIEF_ADMINS": "7 8",
                              "ZONEBRIEF_TIMEZONE": "Asia/Chongqing"})
    assert ((7, 8), "Asia/Chongqing") == (settings.admins, settings.timezone)


@pytest.mark.parametrize(
    "text, environ, message",
    [
        ('token = "123:ABC"\n', {}, "ZONEBRIEF_TOKEN"),  # the token never lives in a file
        ('colour = "red"\n', {}, "未知配置项 colour"),
        ("db = \n", {}, "格式有误"),
        ('inbox_poll_seconds = "often"\n', {}, "应为整数"),
        ("", {"ZONEBRIEF_ADMINS": "alice"}, "用逗号分隔的整数"),
        ("", {"ZONEBRIEF_DIGEST_SEND_EMPTY": "maybe"}, "true 或 false"),
    ],
)
def test_each_mistake_names_the_key_and_the_fix(tmp_path, text, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ, write(tmp_path, text))


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings({}, tmp_path / "nope.toml")


def test_the_cli_reports_a_bad_config_in_one_line_and_exits_non_zero(tmp_path):
    path = write(tmp_path, 'token = "123:ABC"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "zones", "--db", str(tmp_path / "z.db")])
    assert 0 != result.exit_code
    assert 1 == len(result.output.strip().splitlines())
    assert "ZONEBRIEF_TOKEN" in result.output
    assert not (tmp_path / "z.db").exists()
