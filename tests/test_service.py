"""The service layer (bot/service.py) on a real store built from the seed pages."""

import sqlite3

import pytest

from bot.db import open_db


def test_subscriptions_schema_is_unique_per_chat_kind_and_target(tmp_path):
    db = open_db(tmp_path / "zonebrief.db")
    db["chats"].insert({"chat_id": 42, "created_at": "2026-01-01T00:00:00+00:00"})
    assert 0 == db["chats"].get(42)["paused"]
    row = {"chat_id": 42, "kind": "city", "target": "晋城", "created_at": "2026-01-01T00:00:00+00:00"}
    db["subscriptions"].insert(row)
    with pytest.raises(sqlite3.IntegrityError):
        db["subscriptions"].insert(row)
    db.close()
