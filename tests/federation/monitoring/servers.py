"""Local HTTP servers on loopback that misbehave on purpose: they stand in for a site's server
(failing, hanging, changing its home page) and for hosts outside the platform."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Behaviour:
    """What the server answers, by Host (without port) and path; `requests` logs what came."""

    def __init__(self):
        self.pages = {}  # (host, path) -> (status, body) ; host "*" matches any
        self.hang = set()  # hosts that accept and never answer
        self.requests = []  # (time, host, path)
        self.lock = threading.Lock()

    def answer(self, host, path):
        for key in ((host, path), ("*", path)):
            if key in self.pages:
                return self.pages[key]
        return 404, "<html><body><main>没有这个页面</main></body></html>"


def start(behaviour: Behaviour):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            host = (self.headers.get("Host") or "").split(":")[0]
            with behaviour.lock:
                behaviour.requests.append((time.monotonic(), host, self.path))
            if host in behaviour.hang:
                time.sleep(5)
                return
            status, body = behaviour.answer(host, self.path)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def home(text, nonce="abc"):
    """A home page whose main content is `text`; what surrounds main changes every time."""
    return (
        f'<html><head><script nonce="{nonce}{time.time()}"></script></head><body>'
        f"<header>{time.time()}</header><main><h1>{text}</h1>"
        '<a href="/gzdt/">工作动态</a></main></body></html>'
    )
