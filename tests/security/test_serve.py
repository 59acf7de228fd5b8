"""``reportgen serve`` against hostile clients (issue #10, class 7): a DNS-rebinding page (a
forged Host header), paths that climb out, silent connections and clients that hang up.

Each test talks to a real server on 127.0.0.1 over raw sockets, so the Host header is exactly
the one written; every loop and read is bounded.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import REAL_SAMPLE

TITLE = "Alleged distillation of Claude"


@dataclass
class Server:
    port: int
    process: subprocess.Popen


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def start_server(tmp_path) -> Server:
    process = subprocess.Popen([sys.executable, "-u", "-m", "reportgen", "serve", str(REAL_SAMPLE), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(tmp_path)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        if match:
            return Server(int(match.group(1)), process)
    process.kill()
    raise AssertionError("the server did not start")


def stop_server(server: Server) -> str:
    """Stop the server; what it wrote to stderr."""
    server.process.terminate()
    _, errors = server.process.communicate(timeout=30)
    return errors


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("serve"))
    yield running
    stop_server(running)


def request(port: int, raw: bytes) -> Response:
    """Send ``raw`` as it is and read the whole response (the server closes after one); status 0
    when nothing came back (http.server answers some malformed requests as HTTP/0.9: body only)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return Response(int(status_line.split()[1]) if status_line else 0, headers, body)


def get(port: int, path: str = "/", host: str | None = "127.0.0.1") -> Response:
    host_line = f"Host: {host}\r\n" if host is not None else ""
    return request(port, f"GET {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n".encode("latin-1"))


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost.evil.example",
                                  "127.0.0.1.nip.io:{port}", "localhost:{port}@evil.example", "", None])
@pytest.mark.parametrize("path", ["/", "/index.html", "/__version"])
def test_a_request_for_another_host_gets_421_and_nothing_else(server, host, path):
    response = get(server.port, path, host.format(port=server.port) if host is not None else None)
    assert response.status == 421  # before: 200 and the page, to a DNS-rebinding page's script
    assert response.body == b""


def test_an_absolute_url_for_another_host_gets_421(server):
    for target in ("http://evil.example/", "http://evil.example:{port}/__version"):
        response = get(server.port, target.format(port=server.port), "127.0.0.1")
        assert response.status == 421 and response.body == b""
    assert get(server.port, f"http://127.0.0.1:{server.port}/", "evil.example").status == 200  # it wins over Host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LocalHost:{port}", "[::1]",
                                  "[::1]:{port}"])
def test_this_machine_by_name_or_address_gets_the_page(server, host):
    response = get(server.port, "/", host.format(port=server.port))
    assert response.status == 200
    assert TITLE in response.body.decode("utf-8")


def test_the_page_comes_with_a_policy_that_runs_its_own_script_alone(server):
    response = get(server.port)
    page = response.body.decode("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1  # the reload script serve adds
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == f"'sha256-{digest}'"
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cross-origin-resource-policy"] == "same-origin"
    assert get(server.port, "/nowhere").headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
                                  "/bundle.yaml", "/campaigns.csv", "/brief.html", "/charts/", "/manifest.json",
                                  "/..%2f..%2fbundle.yaml"])
def test_no_file_and_no_folder_listing_is_ever_served(server, path):
    response = get(server.port, path)
    assert response.status == 404
    assert response.body == b""


def test_other_methods_and_malformed_requests_get_a_status_and_no_content(server):
    for raw in (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
                b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                b"GARBAGE / HTTP/1.1\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        response = request(server.port, raw)
        assert response.status in (0, 400, 414, 501, 505) and response.body == b"", raw[:40]


def test_a_connection_that_sends_nothing_is_closed(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as idle:
        assert idle.recv(1) == b""  # closed by the server; before, this read waited for ever (timing out here)
        assert get(server.port).status == 200  # and the server still answers


def test_clients_that_hang_up_are_not_tracebacks(tmp_path):
    running = start_server(tmp_path)
    try:
        for attempt in range(40):
            with socket.create_connection(("127.0.0.1", running.port), timeout=10) as client:
                # Abort (RST) rather than close: the server's next write fails at once.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                if attempt % 2:  # hang up while the page is being sent
                    client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    client.recv(1)
                else:  # or while the request is being read
                    client.sendall(b"GET / HT")
        assert get(running.port).status == 200
    finally:
        errors = stop_server(running)
    assert "Traceback" not in errors and "Exception" not in errors, errors[:2000]
