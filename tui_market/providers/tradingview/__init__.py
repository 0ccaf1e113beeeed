"""TradingView: history through tvDatafeed (``history``) and live quotes over its websocket
(``quotes``), with the wire format in ``protocol``.

This module holds only the endpoints, so ``settings`` can name the default without importing
tvDatafeed or websockets.
"""

WS_URL = "wss://data.tradingview.com/socket.io/websocket"
# The page a browser opens the quote socket from; tvDatafeed's history socket uses the data host.
QUOTES_ORIGIN = "https://www.tradingview.com"
HISTORY_ORIGIN = "https://data.tradingview.com"
