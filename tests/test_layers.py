"""The transport-free layers stay free of python-telegram-bot (issue 9.6)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_commands_console_and_planning_do_not_import_python_telegram_bot():
    code = ("import sys, bot.commands, bot.console, bot.planning, bot.admin, bot.outbox, bot.service, bot.render;"
            " print(sorted(name for name in sys.modules if name.split('.')[0] == 'telegram'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "[]" == done.stdout.strip()


def test_the_cli_starts_without_python_telegram_bot_or_the_pdf_library():
    """`zonebrief ask`, `chat`, `ingest` of text pages: PTB and pdfplumber are imported only by the
    commands that need them (about a third of a second of start-up)."""
    code = ("import sys, bot.cli;"
            " print(sorted({name.split('.')[0] for name in sys.modules} & {'telegram', 'pdfplumber', 'pdfminer'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "[]" == done.stdout.strip()
