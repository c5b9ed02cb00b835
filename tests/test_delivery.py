"""Delivery: the schedule, planning (idempotent), and the sender through faults, on a real store."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from bot import delivery
from bot.db import MIGRATIONS, open_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = 0
NINE = time(9, 0)


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "last", "following"),
    [
        # Sunday noon: last Monday's run, next the coming Monday.
        (shanghai(2026, 11, 22, 12, 0), shanghai(2026, 11, 16, 9, 0), shanghai(2026, 11, 23, 9, 0)),
        # Monday 08:59:59 is still before this week's run.
        (shanghai(2026, 11, 23, 8, 59, 59), shanghai(2026, 11, 16, 9, 0), shanghai(2026, 11, 23, 9, 0)),
        # Monday 09:00 exactly is this week's run.
        (shanghai(2026, 11, 23, 9, 0), shanghai(2026, 11, 23, 9, 0), shanghai(2026, 11, 30, 9, 0)),
        # Monday 02:00 UTC is already 10:00 in Shanghai.
        (datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc), shanghai(2026, 11, 23, 9, 0), shanghai(2026, 11, 30, 9, 0)),
        # Sunday 23:30 UTC is Monday 07:30 in Shanghai: before the run.
        (datetime(2026, 11, 22, 23, 30, tzinfo=timezone.utc), shanghai(2026, 11, 16, 9, 0), shanghai(2026, 11, 23, 9, 0)),
    ],
)
def test_monday_nine_in_shanghai(now, last, following):
    assert last == delivery.last_digest_run(now, MONDAY, NINE, SHANGHAI)
    assert following == delivery.next_digest_run(now, MONDAY, NINE, SHANGHAI)


def test_digest_period_is_the_iso_week_in_the_zone():
    assert "2026-W48" == delivery.digest_period(shanghai(2026, 11, 23, 9, 0), SHANGHAI)
    # 2026-11-22 20:00 UTC is already Monday in Shanghai.
    assert "2026-W48" == delivery.digest_period(datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc), SHANGHAI)
    assert "2026-W53" == delivery.digest_period(shanghai(2026, 12, 28, 9, 0), SHANGHAI)


@pytest.mark.parametrize(("weekday", "ptb"), [(0, 1), (4, 5), (5, 6), (6, 0)])
def test_ptb_counts_days_from_sunday(weekday, ptb):
    assert ptb == delivery.ptb_day(weekday)


def test_upgrade_marks_stored_issues_as_pushed(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    MIGRATIONS.apply(db, stop_before="m002_deliveries")
    db["issues"].insert({
        "source": "old.txt", "content_hash": "x", "issue_date": "2024-05-10",
        "date_source": "masthead", "ingested_at": "2024-05-10T00:00:00+00:00",
    })
    db.close()
    db = open_db(path)
    [planned] = [row[0] for row in db.execute("SELECT pushes_planned_at FROM issues")]
    assert planned is not None
    db.close()
