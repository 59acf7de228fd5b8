"""``reportgen serve``: an HTML preview on localhost, rebuilt when the bundle changes.

The page polls a version counter and reloads itself after each rebuild. A bundle that stops
validating shows its problems in the page; the server keeps running until it is stopped.

The preview may be TLP:RED, so the server answers only requests addressed to this machine by
name or address (a DNS-rebinding page is refused), sends no script but its own, closes a
connection that stays silent, and takes a client that goes away as routine.

The pipeline, the collection reader and watchfiles are imported when the server starts its
first build, so a usage error is reported at once.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import re
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from reportgen.config import BuildConfig

RELOAD_SCRIPT = """
(() => { const seen = "%s";
  setInterval(async () => {
    try { const r = await fetch("/__version", {cache: "no-store"}); if ((await r.text()) !== seen) location.reload(); }
    catch (e) { /* server restarting */ }
  }, 800); })();
"""  # the page's one script, allowed by its hash (see content_policy)

IDLE_SECONDS = 5  # a connection silent this long is closed; the page polls every 0.8 s

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})


def content_policy(script: str) -> str:
    """The Content-Security-Policy of a preview page: its own inline styles, fonts and images
    (data: URIs), the reload script alone, requests to this server only, and no framing."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; "
            f"script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


NO_CONTENT_POLICY = "default-src 'none'; frame-ancestors 'none'"  # of an error: nothing to run
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


_HOST_HEADER = re.compile(r"(?:\[(?P<bracketed>[0-9a-f:.]+)\]|(?P<name>[a-z0-9.-]+))(?::[0-9]{1,5})?")


def host_name(header: str | None) -> str | None:
    """The name in a Host header ('localhost:8000' → 'localhost', '[::1]' → '::1'), lowercased;
    None when it is missing or not a host with an optional numeric port."""
    match = _HOST_HEADER.fullmatch((header or "").strip().lower())
    return (match["bracketed"] or match["name"]) if match else None


def request_target(target: str, host_header: str | None) -> tuple[str | None, str]:
    """(authority, path) of a request: a path ('/x?y', '//x') is addressed by the Host header,
    an absolute URL ('http://h/x', as to a proxy) by its own authority. '/?utm=…' is '/'."""
    if target.startswith("/"):
        return host_header, target.partition("?")[0].partition("#")[0]
    parts = urlsplit(target)
    return parts.netloc, parts.path


def allowed_host(authority: str | None, bound: str) -> bool:
    """Whether a request's authority (its Host header) names this machine: localhost, 127.0.0.1
    or [::1] (any port: an ssh tunnel may forward another), or the address the server listens
    on. A server listening on every address answers any IP address too: a DNS-rebinding page
    always comes by a name, never by an address."""
    name = host_name(authority)
    if name is None:
        return False
    if name in LOOPBACK_NAMES or name == bound.strip("[]").lower():
        return True
    return bound in WILDCARD_ADDRESSES and _is_address(name)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Preview:
    def __init__(self, bundle: Path, config: BuildConfig) -> None:
        self.bundle, self.config = bundle, config
        self.out = Path(tempfile.mkdtemp(prefix="reportgen-serve-"))
        self.version = 0
        self.page = ""
        self.policy = NO_CONTENT_POLICY
        self.lock = threading.Lock()

    def rebuild(self) -> str:
        """Build the HTML; returns a one-line status for the terminal."""
        from reportgen.pipeline import build_bundle
        from reportgen.problems import BundleInvalid

        try:
            result = build_bundle(self.bundle, self.out, self.config)
            page = next(p for p in result.outputs if p.name == "brief.html").read_text(encoding="utf-8")
            status = f"rebuilt {result.bundle_id} in {result.seconds:.2f} s"
        except BundleInvalid as exc:
            page = _error_page("The bundle has problems", [p.format() for p in exc.problems])
            status = f"{len(exc.problems)} problem(s); see the page"
        except Exception as exc:  # a template error, say: show it, keep serving
            from reportgen.problems import failure_problem

            page = _error_page("The build failed", [failure_problem(self.bundle, exc).format()])
            status = f"build failed: {exc}"
        with self.lock:
            self.version += 1
            script = RELOAD_SCRIPT % self.version
            self.page = page.replace("</body>", f"<script>{script}</script></body>", 1)
            self.policy = content_policy(script)
        return status

    def watched(self) -> list[Path]:
        """The bundle; for a collection, its folder and the folders its bundles are found in
        (they may lie beside it, and a bundle may be added or removed there); and the folders
        the template and theme read from (as the cache key)."""
        from reportgen.collection.load import collection_file, member_searches
        from reportgen.render.appearance import user_folders

        manifest = collection_file(self.bundle)
        members = member_searches(manifest) if manifest else []
        return [self.bundle, *members, *user_folders(self.config.template, self.config.theme)]

    def matters(self, path: Path) -> bool:
        """Any change in the bundle, or in a folder a collection's entry names or matches (one of
        its bundles, or one that may become one); in a template or theme folder, a change to a
        file a build may read there (not a log written beside the template, which would rebuild
        forever). Never the preview's own output."""
        from reportgen.collection.load import collection_file, member_patterns
        from reportgen.render.appearance import may_be_read, user_folders

        real = path.resolve()
        if real.is_relative_to(self.out.resolve()):
            return False
        if real.is_relative_to(self.bundle.resolve()):
            return True
        manifest = collection_file(self.bundle)
        if manifest and any(place.match(str(pattern)) for pattern in member_patterns(manifest)
                            for place in (real, *real.parents)):
            return True
        return any(real.is_relative_to(folder.resolve()) and may_be_read(real.relative_to(folder.resolve()))
                   for folder in user_folders(self.config.template, self.config.theme))

    def close(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)


def _error_page(title: str, lines: list[str]) -> str:
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>body{font:16px/1.5 sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}'
            'h1{color:#8a1c1c}li{margin:.4rem 0}code{white-space:pre-wrap}</style></head>'
            f"<body><h1>{html.escape(title)}</h1><ul>{items}</ul>"
            "<p>Fix the bundle and save: this page reloads by itself.</p></body></html>")


def serve(bundle: Path, config: BuildConfig, host: str = "127.0.0.1", port: int = 8000,
          stop: threading.Event | None = None) -> None:
    import signal

    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(bundle, config)
    try:
        _serve(preview, host, port, stop)
    finally:
        preview.close()  # its temporary output folder


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


class PreviewServer(ThreadingHTTPServer):
    """http.server's threading server, quiet about clients that go away or fall silent."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a page reloaded mid-poll, a tab closed, an idle connection closed: routine
        super().handle_error(request, client_address)


def preview_handler(preview: Preview, bound: str) -> type[BaseHTTPRequestHandler]:
    """The request handler of a server listening on ``bound``: the page and its version
    counter, to requests whose Host names this machine; nothing else, and never a file."""

    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS  # on every read and write of the connection

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            authority, path = request_target(self.path, self.headers.get("Host"))
            if not allowed_host(authority, bound):
                self._respond(421)  # Misdirected Request: not this server's name
                return
            with preview.lock:
                body, kind = ((str(preview.version), "text/plain") if path == "/__version"
                              else (preview.page, "text/html") if path in ("/", "/index.html")
                              else (None, None))
                policy = preview.policy
            if body is None:
                self._respond(404)
                return
            self._respond(200, body.encode("utf-8"), kind, policy)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """Malformed requests and other methods than GET: the status alone."""
            self._respond(code)

        def _respond(self, status: int, data: bytes = b"", kind: str | None = None,
                     policy: str = NO_CONTENT_POLICY) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", policy)
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass  # keep the terminal for build messages

    return Handler


def _serve(preview: Preview, host: str, port: int, stop: threading.Event | None) -> None:
    import watchfiles

    bundle = preview.bundle
    print(preview.rebuild(), flush=True)

    try:
        server = PreviewServer((host, port), preview_handler(preview, host))
    except OSError as exc:
        from reportgen.problems import UsageError

        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    print(f"serving {bundle} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = stop or threading.Event()
    try:
        default = watchfiles.DefaultFilter()  # version control folders, editor swap files…

        def relevant(change, path: str) -> bool:
            return default(change, path) and preview.matters(Path(path))

        while not stop.is_set():
            folders = preview.watched()
            for _changes in watchfiles.watch(*folders, watch_filter=relevant, stop_event=stop, debounce=300,
                                             rust_timeout=500):
                print(preview.rebuild(), flush=True)
                if preview.watched() != folders:
                    break  # a collection now names other bundles: watch those
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
