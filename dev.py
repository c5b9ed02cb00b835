"""Set up and run ZoneBrief from a fresh clone with nothing but Python 3.11 and pip.

    python3 dev.py chat        # the bot in this terminal, on the bundled seeds (no token, no network)
    python3 dev.py test        # ruff check, mypy, then the test suite (what CI runs)
    python3 dev.py bench       # the benchmarks (docs/BENCHMARKS.md)
    python3 dev.py lock        # rewrite requirements.lock from the current environment

Every command first makes sure `.venv/` exists and holds exactly the packages pinned in
requirements.lock plus ZoneBrief itself (editable); it reinstalls only when the lock or
pyproject.toml changed. Any other arguments go to the command (e.g. `dev.py test -k zone`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".zonebrief-installed"
INSTALL_INPUTS = ("requirements.lock", "pyproject.toml")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the locked packages, unless that is already done."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 the machine has
        sys.exit(f"ZoneBrief needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating .venv …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    print("Installing the pinned packages into .venv …", file=sys.stderr)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(fingerprint)


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, cwd=ROOT).returncode


def _test(pytest_args: list[str]) -> int:
    """The lint (ruff), the type check (mypy, configured in pyproject.toml), then pytest; the first failure stops."""
    for step in (["-m", "ruff", "check", "."], ["-m", "mypy"], ["-m", "pytest", *pytest_args]):
        returncode = _run([str(PYTHON), *step])
        if returncode:
            return returncode
    return 0


def main(argv: list[str]) -> int:
    command, *rest = argv or ["chat"]
    if command in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    ensure_environment()
    if command == "test":
        return _test(rest)
    if command == "bench":
        return _run([str(PYTHON), "-m", "bench", *rest])
    if command == "lock":
        frozen = subprocess.run(
            [str(PYTHON), "-m", "pip", "freeze", "--exclude-editable"],
            check=True, capture_output=True, text=True,
        ).stdout
        header = (ROOT / "requirements.lock").read_text().splitlines()[:2]
        (ROOT / "requirements.lock").write_text("\n".join(header) + "\n" + frozen)
        return 0
    # Anything else is a zonebrief command: chat, ask, ingest, export, zones, run, …
    return _run([str(BIN / "zonebrief"), command, *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
