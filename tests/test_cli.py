"""The ``tui-market`` CLI: exit codes and one-line errors, watchlist commands, sync/bars, locate.

Most runs go through typer's CliRunner in this process (the same ``app`` the console script
calls) against the session server with a database of their own; two run the installed console
script in a subprocess to prove there is no traceback and exit code 2.
"""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo import MongoClient
from typer.testing import CliRunner, Result

from tests.fakes.tv_server import FakeTradingViewServer
from tui_market import paths
from tui_market.cli import app

pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI logs to root

DEMO_SYMBOL = "NASDAQ:AAPL"  # held by the shipped replay data


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_console_script_bad_config_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('interval = "1h"\nwatchlist = [NASDAQ:AAPL]\n')
    proc = subprocess.run(
        ["tui-market", "--config", str(bad), "symbols", "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert str(bad) in line and "invalid TOML" in line and "line 2" in line
    assert proc.stdout == ""


def test_console_script_bad_symbol_exits_2(db_args: list[str]) -> None:
    proc = subprocess.run(
        ["tui-market", *db_args, "symbols", "add", "NASDAQ:AAPL", "NASDAQ AAPL"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "no spaces allowed" in one_line(proc.stderr)
    assert run(*db_args, "symbols", "list").stdout.startswith("the watchlist is empty")


def test_bad_option_value_names_the_flag() -> None:
    result = run("--interval", "9h", "symbols", "list")
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("tui-market: --interval: unknown interval '9h'")


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_MARKET_PROVIDER", "yahoo")
    result = run("bars", "NASDAQ:AAPL")
    assert result.exit_code == 2
    assert "TUI_MARKET_PROVIDER" in one_line(result.stderr)


def test_unreachable_database_exits_1_with_one_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    result = run("--mongodb-uri", f"mongodb://127.0.0.1:{port}", "symbols", "list")
    assert result.exit_code == 1
    assert f"cannot reach MongoDB at 127.0.0.1:{port}" in one_line(result.stderr)


def test_watchlist_add_list_remove(db_args: list[str]) -> None:
    demo = [*db_args, "--provider", "replay"]  # metadata from the demo data, no network
    added = run(*demo, "symbols", "add", "nasdaq:aapl", "NYSE:IBM", "--description", "note")
    assert added.exit_code == 0, added.stderr
    aapl, ibm = added.stdout.splitlines()
    assert aapl == "NASDAQ:AAPL: added (America/New_York 0930-1600)"
    assert ibm.startswith("NYSE:IBM: added (metadata not resolved: 'NYSE:IBM' is not in the")
    again = run(*demo, "symbols", "add", "NASDAQ:AAPL")
    assert (
        again.stdout.strip() == "NASDAQ:AAPL: already in the watchlist (America/New_York 0930-1600)"
    )
    listed = run(*db_args, "symbols", "list")
    assert listed.exit_code == 0
    assert 0 < listed.stdout.index("NASDAQ:AAPL") < listed.stdout.index("NYSE:IBM")
    removed = run(*db_args, "symbols", "remove", "nyse:ibm", "--drop-bars")
    assert removed.exit_code == 0
    assert removed.stdout.strip() == "NYSE:IBM: removed, 0 bars deleted"
    missing = run(*db_args, "symbols", "remove", "NYSE:IBM")
    assert missing.exit_code == 1
    assert one_line(missing.stderr) == "tui-market: NYSE:IBM: not in the watchlist"
    assert "NYSE:IBM" not in run(*db_args, "symbols", "list").stdout


def test_bars_of_an_unsynced_symbol_says_how_to_fetch(db_args: list[str]) -> None:
    result = run(*db_args, "bars", "NASDAQ:AAPL", "--interval", "1D")
    assert result.exit_code == 1
    assert "tui-market sync NASDAQ:AAPL --interval 1D" in one_line(result.stderr)


def test_demo_sync_then_resync_then_bars(db_args: list[str]) -> None:
    first = run(*db_args, "sync", DEMO_SYMBOL, "--demo", "--interval", "1h", "--bars", "30")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == f"{DEMO_SYMBOL} 1h: 30 new, 0 updated, 0 unchanged"
    second = run(*db_args, "sync", DEMO_SYMBOL, "--demo", "--interval", "1h", "--bars", "30")
    assert second.stdout.strip() == f"{DEMO_SYMBOL} 1h: 0 new, 0 updated, 30 unchanged"
    table = run(*db_args, "bars", DEMO_SYMBOL, "--interval", "1h", "--last", "5")
    assert table.exit_code == 0 and f"{DEMO_SYMBOL} 1h: last 5 bars" in table.stdout
    as_csv = run(*db_args, "bars", DEMO_SYMBOL, "--interval", "1h", "--last", "30", "--csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 30
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert all(float(r["low"]) <= float(r["close"]) <= float(r["high"]) for r in rows)


def test_demo_sync_reports_each_failure_and_exits_1(db_args: list[str]) -> None:
    result = run(*db_args, "sync", DEMO_SYMBOL, "NASDAQ:NOPE", "--demo", "--bars", "5")
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{DEMO_SYMBOL} 1h: 5 new, 0 updated, 0 unchanged"
    assert one_line(result.stderr).startswith("NASDAQ:NOPE 1h: failed:")


def test_sync_without_symbols_syncs_the_watchlist(db_args: list[str]) -> None:
    empty = run(*db_args, "sync", "--demo")
    assert empty.exit_code == 1 and "nothing to sync" in one_line(empty.stderr)
    run(*db_args, "--provider", "replay", "symbols", "add", "NASDAQ:TSLA", "SP:SPX")
    result = run(*db_args, "sync", "--demo", "--interval", "1D", "--bars", "5")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "NASDAQ:TSLA 1D: 5 new, 0 updated, 0 unchanged",
        "SP:SPX 1D: 5 new, 0 updated, 0 unchanged",
    ]


def test_locate_prints_every_location(tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path / "data"), "locate")
    assert result.exit_code == 0
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["config"] == f"{paths.config_file()}  (not created yet)"
    assert lines["themes"] == str(paths.themes_dir())
    assert lines["data"] == str(tmp_path / "data")
    assert lines["database"].startswith("embedded")
    assert lines["logs"] == str(paths.log_file())


def test_locate_still_works_with_a_broken_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("provider = 'yahoo'\n")
    result = run("--config", str(bad), "locate")
    assert result.exit_code == 0
    assert "provider" in one_line(result.stderr)
    assert f"config    {bad}" in result.stdout


def test_logs_go_to_the_log_file_not_the_terminal(db_args: list[str]) -> None:
    quiet = run(*db_args, "symbols", "list")
    assert quiet.stderr == ""
    assert "tui-market symbols" in paths.log_file().read_text()
    loud = run("-v", *db_args, "symbols", "list")
    assert "opening runtime" in loud.stderr


def test_tui_with_a_bad_setting_exits_2_before_taking_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TUI_MARKET_SYNC_EVERY_MINUTES", "often")
    result = run("--demo")
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("tui-market: TUI_MARKET_SYNC_EVERY_MINUTES:")


def test_serve_refuses_a_port_that_is_no_port() -> None:
    result = run("serve", "--port", "70000")
    assert result.exit_code == 2
    assert "--port 70000: not a TCP port" in one_line(result.output)


def test_serve_runs_the_app_with_the_same_root_options(tmp_path: Path) -> None:
    """Each browser session runs ``tui-market`` with serve's own root options."""
    import shlex
    import sys

    import typer

    from tui_market.cli.common import CliState
    from tui_market.cli.serve import app_command

    ctx = typer.Context(typer.main.get_command(app))
    ctx.obj = CliState(
        config=tmp_path / "c.toml", overrides={"demo": True, "data_dir": tmp_path, "interval": None}
    )
    assert shlex.split(app_command(ctx)) == [
        sys.executable, "-m", "tui_market", "--config", str(tmp_path / "c.toml"), "--demo",
        "--data-dir", str(tmp_path),
    ]  # fmt: skip


def test_symbols_list_formats_prices_with_each_symbols_tick(
    db_args: list[str], mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last/Change with the decimals of the stored pricescale/minmov; an index's 0 volume: -."""
    from datetime import UTC, datetime

    from tui_market.models.symbol_info import SymbolInfo

    day = datetime(2023, 6, 9, tzinfo=UTC)  # one daily bar: the change is from its prev close
    rows = [  # symbol, info, last close, previous close, volume
        ("FX:EURUSD", SymbolInfo(type="forex", pricescale=100000), 1.08345, 1.07512, 104_211.0),
        ("BITSTAMP:BTCUSD", SymbolInfo(type="crypto", pricescale=100), 25753.0, 25857.0, 275.6),
        ("CME_MINI:ES1!", SymbolInfo(type="futures", pricescale=100, minmov=25), 4298.75, 4293.5,
         1_234_567.0),
        ("TVC:VIX", SymbolInfo(type="index"), 13.83, 14.88, 0.0),
    ]  # fmt: skip
    client: MongoClient = MongoClient(mongo_uri)
    db = client[db_args[3]]
    for position, (symbol, info, last, prev, vol) in enumerate(rows):
        db.symbols.insert_one(
            {"_id": symbol, "description": "", "position": position, "info": info.to_doc()}
        )
        db.sync_state.insert_one(
            {"symbol": symbol, "interval": "1D", "last_bar": day, "last_close": last,
             "prev_close": prev, "last_volume": vol, "status": "ok"}
        )  # fmt: skip
    client.close()
    monkeypatch.setenv("COLUMNS", "200")  # no cell cut by rich
    listed = run(*db_args, "symbols", "list", "--interval", "1D")
    assert listed.exit_code == 0, listed.stderr
    cells = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:6]]
        for line in listed.stdout.splitlines()
        if line.count("│") > 5 and ":" in line.split("│")[1]
    }
    assert cells == {
        "FX:EURUSD": ["1.08345", "0.00833", "0.77", "104,211"],
        "BITSTAMP:BTCUSD": ["25,753.00", "-104.00", "-0.40", "276"],
        "CME_MINI:ES1!": ["4,298.75", "5.25", "0.12", "1,234,567"],
        "TVC:VIX": ["13.83", "-1.05", "-7.06", "-"],
    }


async def test_symbols_add_resolves_the_metadata_from_tradingview(
    db_args: list[str], mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``symbols add`` asks the provider (here the fake TradingView server, through the real
    TradingViewProvider) what the symbol is, and keeps it on the watchlist document: SP:SPX's
    session from the real capture's ``symbol_resolved``."""
    async with FakeTradingViewServer() as server:
        monkeypatch.setenv("TUI_MARKET_TV_WS_URL", server.url)
        added = await asyncio.to_thread(run, *db_args, "symbols", "add", "SP:SPX")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "SP:SPX: added (America/New_York 0930-1610)"
    client: MongoClient = MongoClient(mongo_uri)
    try:
        doc = client[db_args[-1]]["symbols"].find_one({"_id": "SP:SPX"})
    finally:
        client.close()
    assert doc is not None
    assert (doc["info"]["timezone"], doc["info"]["session"]) == ("America/New_York", "0930-1610")
    assert doc["description"] == "S&P 500"


def test_an_old_layout_store_is_named_until_migrate_moves_it(
    cli_db: tuple[list[str], MongoClient],
) -> None:
    """Bars an earlier version stored one per document: every read says so once, on stderr;
    ``migrate`` moves them, and the same bars are then read from buckets."""
    args, db = cli_db
    synced = run(*args, "sync", DEMO_SYMBOL, "--demo", "--interval", "1h", "--bars", "12")
    assert synced.exit_code == 0, synced.stderr
    before = run(*args, "bars", DEMO_SYMBOL, "--interval", "1h", "--last", "12", "--csv").stdout
    # the same bars as an earlier version wrote them (by hand, not through the app's code)
    old = []
    for bucket in db["bars"].find({}):
        for key, (o, h, low, c, v) in bucket["b"].items():
            series = f"{bucket['symbol']}|{bucket['interval']}"
            t = datetime.fromtimestamp(int(key), UTC)
            doc = {"symbol": bucket["symbol"], "interval": bucket["interval"], "t": t}
            old.append({"_id": f"{series}|{key}", **doc, "o": o, "h": h, "l": low, "c": c, "v": v})
    db["bars"].drop()
    db["ohlcv"].insert_many(old)
    listed = run(*args, "bars", DEMO_SYMBOL, "--interval", "1h", "--last", "12")
    assert "12 bars stored by an earlier version" in listed.stderr
    assert "tui-market migrate" in listed.stderr
    moved = run(*args, "migrate")
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout.strip() == "12 bars read, 12 written to buckets"
    after = run(*args, "bars", DEMO_SYMBOL, "--interval", "1h", "--last", "12", "--csv")
    assert after.stdout == before and "earlier version" not in after.stderr
    assert run(*args, "migrate").stdout.strip().startswith("nothing to migrate")
