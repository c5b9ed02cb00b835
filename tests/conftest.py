"""Shared pytest fixtures."""

import shutil
from collections.abc import Iterator
from datetime import datetime, UTC
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import open_db
from bot.ingest import ensure_seeded, ingest_paths, load_gazetteer
from bot.planning import plan_pushes
from bot.service import ZoneService
from botapi import BotApiStandIn
from summarize.tokens import Tokenizer


@pytest.fixture
def botapi() -> Iterator[BotApiStandIn]:
    """A Telegram Bot API stand-in on 127.0.0.1 (see tests/botapi.py), stopped afterwards."""
    with BotApiStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def text_tools():
    """The gazetteer of config/zones.csv and a tokenizer that knows its zone names."""
    gazetteer = load_gazetteer(Settings().zones_csv)
    return gazetteer, Tokenizer(extra_words=gazetteer.forms())


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory, text_tools) -> Path:
    """A store file holding the seed pages, built once per run: tests write to copies (store_path)."""
    path = tmp_path_factory.mktemp("seeded") / "zonebrief.db"
    gazetteer = text_tools[0]
    with open_db(path) as db:
        outcomes = ensure_seeded(db, Settings().seeds, gazetteer=gazetteer)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert [] == [outcome.error for outcome in outcomes if outcome.error]
    return path


@pytest.fixture
def store_path(tmp_path, seeded_store) -> Path:
    """This test's own copy of the seeded store."""
    path = tmp_path / "zonebrief.db"
    shutil.copy(seeded_store, path)
    return path


def _service(store_path: Path, text_tools, **options) -> Iterator[ZoneService]:
    gazetteer, tokenizer = text_tools
    with open_db(store_path) as db:
        yield ZoneService(db, gazetteer, tokenizer, **options)


@pytest.fixture
def service(store_path, text_tools) -> Iterator[ZoneService]:
    """The service layer (bot/service.py) over this test's own seeded store."""
    yield from _service(store_path, text_tools)


@pytest.fixture
def service_one_per_page(store_path, text_tools) -> Iterator[ZoneService]:
    """The service layer over a seeded store, one article per page (to reach later pages)."""
    yield from _service(store_path, text_tools, page_size=1)


# The delivery tests' store: four seed pages with printed dates in the week before WEEK_T0, already
# planned as at a first start (nobody subscribed yet).
WEEK_T0 = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # Sunday noon in Shanghai
WEEK_DAYS = ("2026-11-16", "2026-11-18", "2026-11-20", "2026-11-21")


@pytest.fixture(scope="session")
def week_store(tmp_path_factory, text_tools) -> Path:
    gazetteer, tokenizer = text_tools
    path = tmp_path_factory.mktemp("week") / "zonebrief.db"
    with open_db(path) as db:
        for day, page in zip(WEEK_DAYS, sorted(Path(Settings().seeds).glob("*.txt"))[:4]):
            [outcome] = ingest_paths(db, [page], gazetteer=gazetteer, issue_date=day)
            assert outcome.error is None
        assert 0 == plan_pushes(ZoneService(db, gazetteer, tokenizer), WEEK_T0)  # nobody subscribes yet
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def week_service(tmp_path, week_store, text_tools) -> Iterator[ZoneService]:
    """The service over this test's own copy of week_store (tmp_path / zonebrief.db)."""
    shutil.copy(week_store, tmp_path / "zonebrief.db")
    yield from _service(tmp_path / "zonebrief.db", text_tools)
