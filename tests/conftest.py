"""Shared pytest fixtures."""

from collections.abc import Iterator

import pytest

from botapi import BotApiStandIn


@pytest.fixture
def botapi() -> Iterator[BotApiStandIn]:
    """A Telegram Bot API stand-in on 127.0.0.1 (see tests/botapi.py), stopped afterwards."""
    with BotApiStandIn() as standin:
        yield standin
