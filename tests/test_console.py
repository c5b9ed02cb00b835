"""The console transport (`zonebrief ask`, `zonebrief chat`) and the settings it runs with."""

from pathlib import Path

from bot.config import DEFAULT_CONFIG, ROOT, load_settings


def test_bundled_config_resolves_its_paths_against_its_own_folder():
    settings = load_settings({}, DEFAULT_CONFIG)
    assert str(ROOT / "zonebrief.db") == settings.db
    assert Path(settings.zones_csv).is_file()
    assert Path(settings.seeds).is_dir()
    assert ("Asia/Shanghai", "monday", "09:00", 60, False) == (
        settings.timezone, settings.digest_day, settings.digest_time,
        settings.inbox_poll_seconds, settings.digest_send_empty,
    )


def test_environment_overrides_every_key_of_the_file(tmp_path):
    environ = {"ZONEBRIEF_DB": "other.db", "ZONEBRIEF_ADMINS": "12, 34", "ZONEBRIEF_DIGEST_SEND_EMPTY": "yes",
               "ZONEBRIEF_INBOX_POLL_SECONDS": "5", "ZONEBRIEF_TOKEN": "123:abc"}
    settings = load_settings(environ, DEFAULT_CONFIG)
    assert ("other.db", (12, 34), True, 5, "123:abc") == (
        settings.db, settings.admins, settings.digest_send_empty, settings.inbox_poll_seconds, settings.token,
    )
