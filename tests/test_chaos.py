"""Chaos, bounded and local: the real bot (`zonebrief run` in a subprocess) fans a new page out to
100 chats against the Bot API stand-in while another process takes the store's write lock again
and again, a `zonebrief ingest` of a further page runs beside it, and one chat floods the bot.
Every outbox row must arrive exactly once, and every page must be stored."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from botapi import BotApiStandIn
from delivery_scenario import BotProcess, build_store, drop_into_inbox
from store_lock import WriteLockHolder

from bot.db import open_db
from bot.service import ZoneService

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FAN_OUT = range(2001, 2101)  # 100 chats subscribed to 临汾经开区 (one article on the new page)
EVERYTHING = range(2101, 2111)  # 10 chats subscribed to 全部
FLOODER = 2200
FLOOD = 150


def rows(store: Path) -> tuple[Counter, set[str]]:
    with open_db(store) as db:
        found = db.execute("SELECT chat_id, text, status FROM deliveries").fetchall()
    return Counter((chat_id, text) for chat_id, text, _ in found), {status for _, _, status in found}


def test_fan_out_under_write_locks_a_concurrent_ingest_and_a_flood_delivers_each_row_once(tmp_path, text_tools):
    store = build_store(tmp_path / "zonebrief.db", *text_tools)
    with open_db(store) as db:
        service = ZoneService(db, *text_tools)
        for chat_id in FAN_OUT:
            service.subscribe(chat_id, service.target("临汾经开区"))
        for chat_id in EVERYTHING:
            service.subscribe(chat_id, service.target("全部"))
    reprint = tmp_path / "reprint.txt"  # a page the store does not hold: seed 0 with a line of its own
    reprint.write_text(SEEDS[0].read_text("utf-8") + "\n\n（混沌测试重印）\n", encoding="utf-8")
    inbox, log = tmp_path / "inbox", tmp_path / "bot.log"
    with BotApiStandIn() as botapi:
        for chat_id in [*FAN_OUT, *EVERYTHING, FLOODER, *range(101, 114), 900]:
            botapi.add_user(chat_id)
        bot = BotProcess(botapi, store, inbox, log)
        try:
            botapi.wait_for(lambda: botapi.calls("setMyCommands"), timeout=60, what="the bot to start")
            drop_into_inbox(inbox)
            botapi.wait_for(lambda: len(botapi.sent()) >= 20, timeout=60, what="the fan-out to start")
            with WriteLockHolder(store, seconds=1.5, times=4, gap=0.3) as holder:
                ingest = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(reprint), "--db", str(store)],
                                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for number in range(FLOOD):
                    botapi.send_text(FLOODER, f"/zone 晋城 {number}")
                output = ingest.communicate(timeout=120)[0]
                holder.wait()
            assert 0 == ingest.returncode, output

            def settled() -> bool:
                planned, statuses = rows(store)
                return len(planned) > len(FAN_OUT) and statuses <= {"sent"}

            botapi.wait_for(settled, timeout=180, what="every row to be sent")
            time.sleep(3)  # a sender tick or two more: anything extra would come now
        finally:
            bot.stop()
        received = Counter((entry["chat_id"], entry["text"]) for entry in botapi.sent())
    planned, _ = rows(store)
    assert {key: received[key] for key in planned} == dict(planned)  # every row arrived, exactly once
    assert all(count == 1 for count in planned.values())
    with open_db(store) as db:
        sources = {row["source"] for row in db["issues"].rows}
    assert {SEEDS[4].name, "reprint.txt"} <= sources
    assert any(chat_id in FAN_OUT for chat_id, _ in planned) and any(chat_id in EVERYTHING for chat_id, _ in planned)
    assert botapi.sent(FLOODER)  # the flood was answered (politely limited), and the fan-out went on
    assert "Traceback" not in log.read_text()
