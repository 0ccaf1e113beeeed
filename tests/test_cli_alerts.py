"""``tui-market alerts add|list|remove`` through typer's CliRunner on the session server: what
is printed, one-line refusals with exit 2 that store nothing, ids that are never reused."""

from __future__ import annotations

import pytest
from pymongo import MongoClient
from typer.testing import CliRunner, Result

from tui_market.cli import app
from tui_market.infrastructure import alert_schema

pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI logs to root


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def stored(database: MongoClient) -> list[dict[str, object]]:
    return list(database[alert_schema.ALERTS].find({}, {"created_at": 0}))


def test_add_list_remove(cli_db: tuple[list[str], MongoClient]) -> None:
    args, database = cli_db
    assert run(*args, "symbols", "add", "NASDAQ:AAPL").exit_code == 0
    added = run(*args, "alerts", "add", "nasdaq:aapl", "above", "200")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == "alert 1: NASDAQ:AAPL crosses above 200 (fires once)\n"
    closes = run(*args, "alerts", "add", "NASDAQ:AAPL", "close-below", "150", "-i", "1h", "--rearm")
    assert closes.stdout == (
        "alert 2: NASDAQ:AAPL closes below 150 (1h) (re-arms after each firing)\n"
    )
    listed = run(*args, "alerts", "list")
    assert listed.exit_code == 0
    assert "NASDAQ:AAPL crosses above 200" in listed.stdout
    assert "watching" in listed.stdout and "re-arm" in listed.stdout
    removed = run(*args, "alerts", "remove", "1")
    assert removed.stdout == "alert 1 removed: NASDAQ:AAPL crosses above 200\n"
    assert [d["_id"] for d in stored(database)] == [2]
    again = run(*args, "alerts", "add", "NASDAQ:AAPL", "above", "200")
    assert again.stdout.startswith("alert 3: ")  # ids are never reused
    # off the watchlist, the symbol's alerts could never fire: they go with it
    gone = run(*args, "symbols", "remove", "NASDAQ:AAPL")
    assert gone.stdout == "NASDAQ:AAPL: removed with its 2 alerts\n"
    assert stored(database) == []


def test_an_empty_list_says_how_to_add_one(cli_db: tuple[list[str], MongoClient]) -> None:
    args, _ = cli_db
    listed = run(*args, "alerts", "list")
    assert listed.stdout.startswith("no alerts; add one with: tui-market alerts add")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["NASDAQ:TSLA", "above", "200"], "NASDAQ:TSLA is not on the watchlist; add it first"),
        (["NASDAQ AAPL", "above", "200"], "'NASDAQ AAPL': no spaces allowed"),
        (["NASDAQ:AAPL", "above", "two"], "level 'two' is not a number"),
        (["NASDAQ:AAPL", "below", "0"], "level '0': give a positive number"),
        (["NASDAQ:AAPL", "above", "nan"], "level 'nan': give a positive number"),
        (["NASDAQ:AAPL", "across", "5"], "'across' is not an alert kind; use one of: above"),
        (["NASDAQ:AAPL", "above", "180"], "alert 1 already watches NASDAQ:AAPL crosses above 180"),
    ],
)
def test_bad_input_gets_one_line_exit_2_and_stores_nothing(
    cli_db: tuple[list[str], MongoClient], argv: list[str], says: str
) -> None:
    args, database = cli_db
    assert run(*args, "symbols", "add", "NASDAQ:AAPL").exit_code == 0
    assert run(*args, "alerts", "add", "NASDAQ:AAPL", "above", "180").exit_code == 0
    before = stored(database)
    result = run(*args, "alerts", "add", *argv)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("tui-market: ") and says in lines[0], lines[0]
    assert result.stdout == ""
    assert stored(database) == before


def test_removing_an_unknown_id_says_so(cli_db: tuple[list[str], MongoClient]) -> None:
    args, _ = cli_db
    result = run(*args, "alerts", "remove", "7")
    assert result.exit_code == 1
    assert result.stderr.strip() == "tui-market: no alert with ID 7 (see: tui-market alerts list)"
