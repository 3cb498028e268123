"""Serve a WSGI app with waitress in a thread, and stop it without a race at shutdown."""

from __future__ import annotations

import threading
from collections.abc import Callable

from waitress.server import create_server


def serve_in_thread(app, threads: int = 4) -> tuple[str, Callable[[], None]]:
    """Start waitress on a free loopback port; return its base URL and a function that stops it."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    port = server.socket.getsockname()[1]
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            # Closing the server closes sockets the loop may be selecting on: expected at shutdown.
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop() -> None:
        closing.set()
        server.close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{port}", stop
