"""Reconnect and resume: the server restarts under a connected widget. This test runs its own Parley
server (the runner's is shared by every test and must stay up) on SQLite in a scratch data directory,
with the environment scripts/browser-tests.sh gives its server (scripts/lib.sh start_parley_server).

While the server is down the widget says so and keeps what the visitor writes; once the server is
back on the same port and data directory the widget reconnects by itself, delivers the queued message
exactly once and shows the agent's next reply live, with nothing shown twice."""

import json
import os
import signal
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from hostpage import HostPageServer
from parley_api import AgentSocket, Parley, http
from widget_page import Widget, wait_until

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "parley"
# i18n.js, en.reconnecting
RECONNECTING = "Connection lost. Reconnecting…"
# The widget's backoff doubles from 1 s; after a few seconds down the next attempt can be ~15 s away.
RECONNECT_WAIT = 45


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ParleyProcess:
    """`parley serve` on 127.0.0.1:port with a fixed data directory; start() and stop() (SIGTERM) may
    alternate, so the restarted server is the same one to its clients."""

    def __init__(self, data_dir, log_path):
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        env = {k: v for k, v in os.environ.items() if k not in (
            "DATABASE_URL", "PARLEY_ENV", "PARLEY_PUBLIC_URL", "PARLEY_HOST", "PARLEY_PORT", "PARLEY_DATA_DIR")}
        env.update({
            "PARLEY_WEB_ROOT": os.environ.get("PARLEY_WEB_ROOT") or str(ROOT / "Sources" / "ParleyServer" / "Public"),
            "PARLEY_LOGIN_MAX_FAILURES": "1000000",
            "PARLEY_WIDGET_ADDRESS_BURST": "100000",
            "PARLEY_WIDGET_ADDRESS_RATE": "1000",
        })
        self.env = env

    def log_tail(self, lines=25):
        try:
            return "\n  | ".join([""] + self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return " (no log)"

    def start(self):
        assert BINARY.exists(), f"{BINARY} not found; build the server first (swift build)"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"--- parley serve on port {self.port}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [str(BINARY), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data_dir)],
                env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"own server exited with {self.process.returncode} before /ready:{self.log_tail()}")
            try:
                return http("GET", f"{self.base}/ready", timeout=2).status == 200
            except OSError:  # not listening yet
                return False

        wait_until(None, ready, lambda: f"own server GET {self.base}/ready -> 200:{self.log_tail()}", timeout=60)
        credentials = self.data_dir / "initial-credentials.json"
        wait_until(None, lambda: credentials.exists() and credentials.stat().st_size > 0,
                   f"own server to write {credentials}", timeout=10)

    def stop(self):
        """SIGTERM (the server closes its sockets with 1001, then drains) and wait for the exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"own server ignored SIGTERM for 20 s and was killed:{self.log_tail()}")

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def credentials(self):
        with open(self.data_dir / "initial-credentials.json") as f:
            return json.load(f)


@pytest.fixture
def own_server(tmp_path, artifacts):
    server = ParleyProcess(tmp_path / "data", artifacts / "reconnect-server.log")
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            server.kill()


@pytest.fixture
def own_host_page(own_server):
    page = HostPageServer(own_server.base)
    yield page
    page.close()


def test_widget_reconnects_after_a_server_restart_and_loses_nothing(own_server, own_host_page, driver, console,
                                                                     screenshot):
    widget = Widget(driver)
    owner = Parley(own_server.base, own_server.credentials())
    site = owner.create_site("browser reconnect", [own_host_page.origin])
    tag = uuid.uuid4().hex[:8]
    before, queued, after = f"Before the restart {tag}", f"Written while down {tag}", f"After the restart {tag}"

    with AgentSocket(own_server.base, owner.token, owner.org) as agent:  # an agent online: the composer is offered
        driver.get(own_host_page.url(site["site_key"]))
        widget.open()
        widget.send(before)
        conversation_id = agent.wait_message(lambda m: m["body"] == before, what=f"{before!r}")["conversation_id"]
        owner.reply(conversation_id, "Hello before the restart")
        widget.wait_body("Hello before the restart", "member")
        assert not widget.is_shown("connection-status"), f"connection-status shown while connected: {widget.describe()}"
        driver.execute_script("window.__sameDocument = true;")

        own_server.stop()

    # Down: the widget says so, and keeps what the visitor writes.
    widget.wait_shown("connection-status")
    assert widget.text("connection-status").strip() == RECONNECTING, widget.text("connection-status")
    widget.send(queued)
    pending = widget.wait_body(queued, "visitor")
    assert pending["id"] is None, f"a message written while the server is down shows as sent: {pending}"
    screenshot("reconnect-server-down")

    # Back on the same port and data directory: the widget reconnects by itself and sends the queued message.
    own_server.start()
    widget.wait_hidden("connection-status", timeout=RECONNECT_WAIT)
    with AgentSocket(own_server.base, owner.token, owner.org):
        sent = widget.wait_message(lambda m: m["body"] == queued and m["id"],
                                   f"the queued message {queued!r} confirmed by the server (with a data-id)")
        wait_until(driver, lambda: [m for m in owner.messages(conversation_id) if m["body"] == queued],
                   f"the server to have {queued!r}")
        copies = [m for m in owner.messages(conversation_id) if m["body"] == queued]
        assert len(copies) == 1, f"server: the queued message is stored {len(copies)} times: {copies}"
        assert sent["id"] == copies[0]["id"] and sent["seq"] == str(copies[0]["seq"]), (sent, copies)

        reply = owner.reply(conversation_id, after)
        shown = widget.wait_body(after, "member")
        assert shown["id"] == reply["id"], f"rendered {shown}, sent {reply}"
        assert driver.execute_script("return window.__sameDocument === true"), "the page reloaded to recover"

    # Nothing twice, nothing missing: the widget shows exactly the server's history, in order.
    history = [(m["id"], m["seq"], m["body"]) for m in owner.messages(conversation_id)]
    rendered = widget.messages()
    ids = [m["id"] for m in rendered]
    assert len(ids) == len(set(ids)), f"a message shown twice: {[(m['id'], m['body']) for m in rendered]}"
    assert [(m["id"], int(m["seq"]) if m["seq"] else None, m["body"]) for m in rendered] == history, \
        f"widget shows {[(m['seq'], m['body']) for m in rendered]}, the server has {history}"
    screenshot("reconnect-resumed")
    # While the server was down the browser logged refused connections; nothing else may show.
    console.assert_clean(allow=[r"net::ERR_CONNECTION_(REFUSED|RESET|CLOSED)", r"net::ERR_EMPTY_RESPONSE",
                                r"WebSocket connection to '.*' failed"])
