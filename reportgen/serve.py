"""``reportgen serve``: an HTML preview on localhost, rebuilt when the bundle changes.

The page polls a version counter and reloads itself after each rebuild. A bundle that stops
validating shows its problems in the page; the server keeps running.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

RELOAD_SCRIPT = """<script>
(() => { const seen = "%s";
  setInterval(async () => {
    try { const r = await fetch("/__version", {cache: "no-store"}); if ((await r.text()) !== seen) location.reload(); }
    catch (e) { /* server restarting */ }
  }, 800); })();
</script>"""


class Preview:
    def __init__(self, bundle: Path, options) -> None:
        self.bundle, self.options = bundle, options
        self.out = Path(tempfile.mkdtemp(prefix="reportgen-serve-"))
        self.version = 0
        self.page = ""
        self.lock = threading.Lock()

    def rebuild(self) -> str:
        """Build the HTML; returns a one-line status for the terminal."""
        from reportgen.builder import build_bundle
        from reportgen.problems import BundleInvalid

        try:
            result = build_bundle(self.bundle, self.out, self.options)
            page = next(p for p in result.outputs if p.name == "brief.html").read_text(encoding="utf-8")
            status = f"rebuilt {result.bundle_id} in {result.seconds:.2f} s"
        except BundleInvalid as exc:
            page = _error_page("The bundle has problems", [p.format() for p in exc.problems])
            status = f"{len(exc.problems)} problem(s); see the page"
        except Exception as exc:  # a template error, say: show it, keep serving
            from reportgen.batch import failure_line

            page = _error_page("The build failed", [failure_line(self.bundle, exc)])
            status = f"build failed: {exc}"
        with self.lock:
            self.version += 1
            self.page = page.replace("</body>", RELOAD_SCRIPT % self.version + "</body>", 1)
        return status

    def watched(self) -> list[Path]:
        """The bundle, and the folders the template and theme read from (as the cache key)."""
        from reportgen.appearance import user_folders

        return [self.bundle, *user_folders(self.options.template, self.options.theme)]

    def matters(self, path: Path) -> bool:
        """Any change in the bundle; in a template or theme folder, a change to a file a build may
        read there (not a log written beside the template, which would rebuild forever)."""
        from reportgen.appearance import may_be_read

        real = path.resolve()
        if real.is_relative_to(self.bundle.resolve()):
            return True
        return any(real.is_relative_to(folder.resolve()) and may_be_read(real.relative_to(folder.resolve()))
                   for folder in self.watched()[1:])

    def close(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)


def _error_page(title: str, lines: list[str]) -> str:
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>body{font:16px/1.5 sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}'
            'h1{color:#8a1c1c}li{margin:.4rem 0}code{white-space:pre-wrap}</style></head>'
            f"<body><h1>{html.escape(title)}</h1><ul>{items}</ul>"
            "<p>Fix the bundle and save: this page reloads by itself.</p></body></html>")


def serve(bundle: Path, options, host: str = "127.0.0.1", port: int = 8000,
          stop: threading.Event | None = None) -> None:
    import signal

    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(bundle, options)
    try:
        _serve(preview, host, port, stop)
    finally:
        preview.close()  # its temporary output folder


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _serve(preview: Preview, host: str, port: int, stop: threading.Event | None) -> None:
    import watchfiles

    bundle = preview.bundle
    print(preview.rebuild(), flush=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            with preview.lock:
                path = urlsplit(self.path).path  # '/?utm=…' is the page too
                body, kind = ((str(preview.version), "text/plain") if path == "/__version"
                              else (preview.page, "text/html") if path in ("/", "/index.html")
                              else (None, None))
            if body is None:
                self.send_error(404)
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass  # keep the terminal for build messages

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        from reportgen.cli import UsageError

        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    print(f"serving {bundle} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = stop or threading.Event()
    try:
        default = watchfiles.DefaultFilter()  # version control folders, editor swap files…

        def relevant(change, path: str) -> bool:
            return default(change, path) and preview.matters(Path(path))

        for _changes in watchfiles.watch(*preview.watched(), watch_filter=relevant, stop_event=stop, debounce=300,
                                         rust_timeout=500):
            print(preview.rebuild(), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
