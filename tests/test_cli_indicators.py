"""``tui-market bars ... --with``: indicator columns headless, checked against TA-Lib over the
same stored bars; bad indicator text is one line and exit 2, before any database is opened."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
import talib
from typer.testing import CliRunner, Result

from tui_market.cli import app

DEMO_SYMBOL = "NASDAQ:AAPL"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_csv_with_ema_and_rsi_matches_talib(db_args: list[str]) -> None:
    synced = run(*db_args, "sync", DEMO_SYMBOL, "--demo", "--interval", "15m", "--bars", "120")
    assert synced.exit_code == 0, synced.stderr
    plain = run(*db_args, "bars", DEMO_SYMBOL, "-i", "15m", "--last", "120", "--csv")
    closes = np.array([float(r["close"]) for r in csv.DictReader(io.StringIO(plain.stdout))])
    assert len(closes) == 120
    result = run(
        *db_args, "bars", DEMO_SYMBOL, "-i", "15m", "--last", "40", "--csv",
        "--with", "ema:21,rsi:14,macd:12,26,9",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 40
    assert list(rows[0])[6:] == [
        "ema_21", "rsi_14", "macd_12_26_9", "macd_12_26_9_signal", "macd_12_26_9_hist",
    ]  # fmt: skip
    for column, expected in (("ema_21", talib.EMA(closes, 21)), ("rsi_14", talib.RSI(closes))):
        for row, want in zip(rows, expected[-40:], strict=True):
            assert math.isclose(float(row[column]), want, rel_tol=1e-9), column


def test_table_with_indicators_has_their_columns(db_args: list[str]) -> None:
    run(*db_args, "sync", DEMO_SYMBOL, "--demo", "--interval", "1D", "--bars", "60")
    result = run(*db_args, "bars", DEMO_SYMBOL, "-i", "1D", "--with", "sma:5, vwap")
    assert result.exit_code == 0, result.stderr
    assert "sma_5" in result.stdout and "vwap" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ema:21,foo:3", "--with: unknown indicator 'foo'"),
        ("rsi:0", "--with: RSI period must be a whole number from 2 to 1000"),
    ],
)
def test_bad_indicator_text_is_one_line_and_exit_2(text: str, message: str) -> None:
    # no database options: the text is refused before anything is opened
    result = run("--mongodb-uri", "mongodb://127.0.0.1:1", "bars", DEMO_SYMBOL, "--with", text)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-market: " + message), result.stderr
    assert result.stdout == ""
