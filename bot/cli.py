"""The `zonebrief` command: wiring and logging set-up only; the work happens in the modules it calls."""

from __future__ import annotations

import logging
import os
import sys

import click

from bot.config import ConfigError, Settings, load_settings


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings)  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="配置文件（默认 $ZONEBRIEF_CONFIG，否则 config/zonebrief.toml）。")
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志。")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """ZoneBrief 开发区简报机器人：把《科学导报·开发区建设》版面变成可查询、可订阅的简报。"""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        ctx.obj = load_settings(os.environ, config_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="zonebrief")


if __name__ == "__main__":
    sys.exit(main())
