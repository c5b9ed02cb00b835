"""Settings: config/zonebrief.toml, every key overridable by an environment variable ZONEBRIEF_<KEY>.

Precedence, highest first:
1. explicit command-line options (applied by the CLI after loading);
2. the environment: ZONEBRIEF_DB, ZONEBRIEF_TOKEN, ZONEBRIEF_ADMINS, …;
3. the TOML file (--config FILE, else $ZONEBRIEF_CONFIG, else config/zonebrief.toml if it exists);
4. the defaults below.
The bot token is read from the environment only, never from a file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from typing import Any
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "zonebrief.toml"
ENV_PREFIX = "ZONEBRIEF_"


class ConfigError(Exception):
    """A configuration file or value is wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    db: str = "zonebrief.db"
    token: str | None = None
    admins: tuple[int, ...] = ()
    timezone: str = "Asia/Shanghai"
    zones_csv: str = str(ROOT / "config" / "zones.csv")
    seeds: str = str(ROOT / "seeds")
    inbox: str = "inbox"  # new page files dropped here are ingested and pushed (bot.courier)
    inbox_poll_seconds: int = 5
    digest_day: str = "monday"  # the weekly digest's day (monday … sunday) and local time
    digest_time: str = "09:00"
    digest_send_empty: bool = False  # send a digest saying nothing is new, rather than none
    push_hold_articles: int = 20  # an arrival pushing more articles to one chat waits for an admin (0: never)
    review: str = "auto"  # records held for an admin's look before a push: auto (doubtful ones), all, off
    source_url: str | None = None  # a link to the newspaper's pages, named in every push
    flood_burst: int = 20  # updates a chat may send at once before the bot refuses it (bot.concurrency) …
    flood_per_minute: int = 30  # … and then this many a minute

    def is_admin(self, *ids: int | None) -> bool:
        """Whether any of `ids` (a chat's, a user's) is in `admins`."""
        return any(identity in self.admins for identity in ids if identity is not None)


_ENV_ONLY = {"token"}
# Paths a TOML file gives relative to its own folder (environment values stay relative to the
# working directory, as on a command line).
_PATHS = {"db", "zones_csv", "seeds", "inbox"}


def _describe(kind: str) -> str:
    """The expected form of a value of `kind`, as a user would write it."""
    if kind.startswith("tuple[int"):
        return "用逗号分隔的整数（如 123,456）"
    if kind.startswith("int"):
        return "整数"
    if kind.startswith("float"):
        return "数字"
    if kind.startswith("bool"):
        return "true 或 false"
    return "文本"


def _convert(name: str, kind: str, value: Any) -> object:
    """Turn a TOML or environment value (whatever tomllib gave) into the field's type, or raise ConfigError."""
    try:
        if kind.startswith("tuple[int"):
            if isinstance(value, str):
                value = [v for v in value.replace(",", " ").split() if v]
            return tuple(int(v) for v in value)
        if kind.startswith("int"):
            return int(value)
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        return None if value is None else str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"配置项 {name} 的值 {value!r} 无效：应为{_describe(kind)}。请修改配置文件或环境变量 {ENV_PREFIX}{name.upper()}。"
        ) from None


def load_settings(environ: Mapping[str, str], path: str | Path | None = None) -> Settings:
    """Read the TOML file (if any) and the environment into Settings."""
    values: dict[str, Any] = {}  # field name -> value of that field's type
    config_path = Path(path) if path else None
    if config_path is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_path = Path(environ[ENV_PREFIX + "CONFIG"])
    if config_path is None and DEFAULT_CONFIG.exists():
        config_path = DEFAULT_CONFIG
    known = {f.name: str(f.type) for f in fields(Settings)}
    if config_path is not None:
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"找不到配置文件 {config_path}：请检查 --config 或 {ENV_PREFIX}CONFIG。") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"配置文件 {config_path} 格式有误（{error}）：请按 TOML 语法修改。") from None
        except OSError as error:
            raise ConfigError(f"无法读取配置文件 {config_path}（{error.strerror or error}）：请给出一个可读的 TOML 文件。") from None
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"配置文件 {config_path} 中有未知配置项 {key}：可用的有 {', '.join(sorted(known))}。")
            if key in _ENV_ONLY:
                raise ConfigError(f"不要把 {key} 写进配置文件 {config_path}：请用环境变量 {ENV_PREFIX}{key.upper()}。")
            values[key] = _convert(key, known[key], value)
            if key in _PATHS and values[key] is not None:
                values[key] = os.path.normpath(config_path.parent / str(values[key]))
    for key, kind in known.items():
        env_value = environ.get(ENV_PREFIX + key.upper())
        if env_value is not None and env_value != "":
            values[key] = _convert(key, kind, env_value)
    return dataclasses.replace(Settings(), **values)
