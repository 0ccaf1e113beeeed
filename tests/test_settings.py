"""Settings: precedence (CLI > env > file > default), one-line errors naming the key, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_market import paths
from tui_market.errors import ConfigError
from tui_market.models import Interval
from tui_market.settings import DEFAULT_WATCHLIST, load_settings


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def config_error(**overrides: object) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(**overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_without_file_or_env(isolated_dirs: Path) -> None:
    settings = load_settings()
    assert settings.mongodb_uri is None and settings.embedded
    assert settings.database == "tui_market"
    assert settings.provider == "tradingview"
    assert settings.interval is Interval.H1
    assert settings.watchlist == list(DEFAULT_WATCHLIST)
    assert settings.tv_ws_url is None  # TradingView's own endpoint
    assert settings.sync_every_minutes is None and settings.demo is False
    assert settings.data_dir == paths.data_dir()
    assert str(settings.data_dir).startswith(str(isolated_dirs))


def test_cli_beats_env_beats_file_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        'interval = "4h"\ndatabase = "from_file"\nprovider = "replay"\ntheme = "market-light"\n'
    )
    monkeypatch.setenv("TUI_MARKET_INTERVAL", "1D")
    monkeypatch.setenv("TUI_MARKET_DATABASE", "from_env")
    settings = load_settings(interval="15m", database=None)
    assert settings.interval is Interval.M15  # CLI
    assert settings.database == "from_env"  # env (the None override is "not given")
    assert settings.provider == "replay"  # file
    assert settings.theme == "market-light"  # file
    assert settings.tv_ws_url is None  # default
    assert load_settings().interval is Interval.D1  # env over file


def test_config_file_location_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('database = "default_location"\n')
    assert load_settings().database == "default_location"
    env_file = tmp_path / "env.toml"
    env_file.write_text('database = "env_location"\n')
    monkeypatch.setenv("TUI_MARKET_CONFIG_FILE", str(env_file))
    assert paths.config_file() == env_file
    assert load_settings().database == "env_location"
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text('database = "flag_location"\n')
    assert load_settings(flag_file).database == "flag_location"


def test_named_config_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist"):
        load_settings(missing)


def test_bad_toml_names_the_file_and_line() -> None:
    path = write_config('interval = "1h"\nwatchlist = [NASDAQ:AAPL]\n')
    message = config_error()
    assert str(path) in message and "invalid TOML" in message and "line 2" in message


def test_unreadable_config_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read it"):
        load_settings(tmp_path)  # a directory
    write_config("").write_bytes(b"interval = '\xff'\n")
    assert "not UTF-8" in config_error()


def test_bad_value_names_where_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config('interval = "7h"\n')
    message = config_error()
    assert message.startswith(f"interval (in {path}):") and "unknown interval '7h'" in message
    monkeypatch.setenv("TUI_MARKET_PROVIDER", "yahoo")
    message = config_error(interval="1h")
    assert message.startswith("TUI_MARKET_PROVIDER:") and "'yahoo'" in message
    monkeypatch.delenv("TUI_MARKET_PROVIDER")
    message = config_error(sync_every_minutes=-5, interval="1h")
    assert message.startswith("--sync-every-minutes:") and "greater than or equal to 0" in message


def test_unknown_key_in_file_is_rejected() -> None:
    write_config('intervall = "1h"\n')
    assert "unknown key 'intervall'" in config_error()


def test_watchlist_is_parsed_normalised_and_deduplicated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_MARKET_WATCHLIST", "nasdaq:aapl, cme_mini:es1!, NASDAQ:AAPL")
    assert load_settings().watchlist == ["NASDAQ:AAPL", "CME_MINI:ES1!"]
    monkeypatch.setenv("TUI_MARKET_WATCHLIST", '["binance:btcusdt"]')
    assert load_settings().watchlist == ["BINANCE:BTCUSDT"]
    monkeypatch.delenv("TUI_MARKET_WATCHLIST")
    write_config('watchlist = ["NYSE:IBM", "AAPL"]\n')
    message = config_error()
    assert message.startswith("watchlist (in ") and "'AAPL': missing ':'" in message


def test_credentials_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_MARKET_TV_USERNAME", "trader")
    monkeypatch.setenv("TUI_MARKET_TV_PASSWORD", "hunter2")
    settings = load_settings()
    assert settings.tv_password is not None
    assert settings.tv_password.get_secret_value() == "hunter2"
    for text in (repr(settings), str(settings), settings.describe()):
        assert "hunter2" not in text and "trader" not in text
    message = config_error(mongodb_uri="http://bob:hunter2@db")
    assert message.startswith("--mongodb-uri:") and "hunter2" not in message
    with pytest.raises(ConfigError) as caught:
        load_settings(mongodb_uri="http://bob:hunter2@db")
    # no exception a traceback would print (a crash report, logging.exception) holds it
    shown: list[str] = []
    error: BaseException | None = caught.value
    while error is not None:
        shown.append(str(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    assert shown and "hunter2" not in "\n".join(shown)


def test_remote_uri_is_masked_in_describe() -> None:
    settings = load_settings(mongodb_uri="mongodb://bob:s3cret@db.example:27017")
    assert "s3cret" not in settings.describe() and "db.example" in settings.describe()


def test_demo_implies_replay_and_zero_means_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_MARKET_DEMO", "true")
    settings = load_settings(provider="tradingview", sync_every_minutes=0)
    assert settings.demo and settings.provider == "replay"
    assert settings.sync_every_minutes is None
    assert load_settings(sync_every_minutes=15).sync_every_minutes == 15


def test_demo_keeps_its_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replayed bars must never mix with real history in the default database."""
    assert load_settings(demo=True).database == "tui_market_demo"
    assert load_settings(demo=True, database="mine").database == "mine"
    monkeypatch.setenv("TUI_MARKET_DATABASE", "tui_market")
    assert load_settings(demo=True).database == "tui_market"  # explicitly asked for


def test_paths_follow_xdg(isolated_dirs: Path) -> None:
    assert paths.themes_dir() == paths.config_dir() / "themes"
    assert paths.config_file() == paths.config_dir() / "config.toml"
    for where in (paths.config_dir(), paths.data_dir(), paths.state_dir(), paths.log_file()):
        assert str(where).startswith(str(isolated_dirs))
