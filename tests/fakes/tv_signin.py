"""A fake TradingView sign-in endpoint (HTTP on 127.0.0.1, port 0), in a thread.

    with FakeSignIn(password="s3cret-pass") as signin:
        TradingViewProvider("trader", "s3cret-pass", signin_url=signin.url, ...)
        signin.logins  # sign-in requests answered with a token, in order

Like TradingView's ``/accounts/signin/``: a form POST with ``username`` and ``password``; the
right password gets ``{"user": {"auth_token": ...}}`` (a new token each time: ``tok-1``,
``tok-2``, ... after ``prefix``), a wrong one ``{"error": ...}``. ``attempts`` counts every POST.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs


class FakeSignIn:
    def __init__(self, password: str, prefix: str = "tok-") -> None:
        self.password, self.prefix = password, prefix
        self.attempts = 0
        self.logins: list[str] = []  # tokens handed out
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                body = fake.answer(form.get("password", [""])[0])
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/accounts/signin/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def answer(self, password: str) -> dict[str, object]:
        with self._lock:
            self.attempts += 1
            if password != self.password:
                return {"error": "Invalid username or password", "code": "invalid_credentials"}
            token = f"{self.prefix}{len(self.logins) + 1}"
            self.logins.append(token)
            return {"user": {"username": "trader", "auth_token": token}}

    def __enter__(self) -> FakeSignIn:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
