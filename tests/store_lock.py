"""Another process holding the store's write lock: what a `zonebrief ingest` of a big page, or any
other writer, does to the bot. Shared by the concurrency tests, the chaos test and bench/crash.py.

    with WriteLockHolder(store, seconds=7):
        ...  # the lock is held (BEGIN IMMEDIATE in a separate process) until the block ends
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLD = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
for _ in range(int(sys.argv[3])):
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("CREATE TABLE IF NOT EXISTS _lock_holder (n)")
    connection.execute("INSERT INTO _lock_holder VALUES (1)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    connection.execute("COMMIT")
    print("released", flush=True)
    time.sleep(float(sys.argv[4]))
"""


class WriteLockHolder:
    """A subprocess that takes the store's write lock `times` times, for `seconds` each, with
    `gap` seconds between; entering waits until it holds the lock the first time."""

    def __init__(self, store: Path, seconds: float, *, times: int = 1, gap: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(store), str(seconds), str(times), str(gap)],
            stdout=subprocess.PIPE, text=True,
        )

    def __enter__(self) -> WriteLockHolder:
        assert self.process.stdout is not None
        assert "locked" == self.process.stdout.readline().strip(), "the lock holder did not start"
        return self

    def wait(self, timeout: float = 120) -> None:
        """Until the holder has taken and released the lock every time."""
        self.process.wait(timeout=timeout)
        assert 0 == self.process.returncode

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
