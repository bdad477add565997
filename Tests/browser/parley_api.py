"""Plain-HTTP and WebSocket clients for the server side of the browser tests.

`Parley` acts as the organization owner (REST, member token); `AgentSocket` is an agent's
dashboard socket subscribed to the whole inbox. Both fail with messages that say which side
is at fault (a route missing on this server build reads differently from a wrong answer).
"""

import contextlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

TIMEOUT = 10


class Response:
    def __init__(self, method, url, status, headers, body):
        self.method, self.url, self.status, self.headers, self.body = method, url, status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def describe(self):
        text = self.body[:400].decode("utf-8", "replace")
        return f"{self.method} {self.url} -> HTTP {self.status}: {text}"


def http(method, url, *, token=None, json_body=None, data=None, content_type=None, origin=None, timeout=TIMEOUT):
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    if json_body is not None:
        data = json.dumps(json_body).encode("utf-8")
        content_type = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Response(method, url, reply.status, reply.headers, reply.read())
    except urllib.error.HTTPError as error:
        return Response(method, url, error.code, error.headers, error.read())


def expect(response, *statuses, what):
    """The response, if its status is one of `statuses`; otherwise a failure naming the side at fault."""
    if response.status in statuses:
        return response
    hint = " (route missing on this server build, or no such resource)" if response.status in (404, 405) else ""
    raise AssertionError(f"server: {what}: expected HTTP {'/'.join(map(str, statuses))}{hint}; got {response.describe()}")


class Parley:
    """The organization owner, over REST."""

    def __init__(self, base, credentials):
        self.base = base
        self.org = credentials["organization_id"]
        login = http("POST", f"{base}/api/v1/auth/login",
                     json_body={"email": credentials["email"], "password": credentials["password"]})
        self.token = expect(login, 200, what="owner login").json()["access_token"]

    def url(self, path):
        return path if path.startswith("http") else self.base + path

    def call(self, method, path, *statuses, what, **kwargs):
        return expect(http(method, self.url(path), token=self.token, **kwargs), *statuses, what=what)

    def org_path(self, path):
        return f"/api/v1/orgs/{self.org}/{path}"

    # Sites and their widget settings

    def create_site(self, name, origins):
        return self.call("POST", self.org_path("sites"), 201, what="create site",
                         json_body={"name": name, "allowed_origins": origins}).json()

    def patch_widget(self, site, **fields):
        """Changes widget settings (PATCH sites/{id} {"widget": {...}}) and checks that the public
        GET settings shows them, so a setting the server drops fails here, not in the browser."""
        self.call("PATCH", self.org_path(f"sites/{site['id']}"), 200, what="PATCH site widget settings",
                  json_body={"widget": fields})
        settings = self.widget_settings(site)
        for key, value in fields.items():
            assert settings.get(key) == value, (
                f"server: GET settings shows {key}={settings.get(key)!r} after PATCH set {value!r}")
        return settings

    def site(self, site):
        """GET sites/{id}: as the owner, with `identity_secret`."""
        return self.call("GET", self.org_path(f"sites/{site['id']}"), 200, what="GET site").json()

    def widget_settings(self, site, origin=None):
        origin = origin or site["allowed_origins"][0]
        return expect(http("GET", f"{self.base}/api/v1/widget/{site['site_key']}/settings", origin=origin),
                      200, what="GET widget settings").json()

    # Visitor side, for checks the browser cannot make

    def visitor_session(self, site, origin=None, anonymous_token=None):
        body = {"anonymous_token": anonymous_token} if anonymous_token else {}
        origin = origin or site["allowed_origins"][0]
        return expect(http("POST", f"{self.base}/api/v1/widget/{site['site_key']}/sessions", json_body=body,
                           origin=origin), 200, 201, what="start a visitor session").json()

    def visitor_call(self, site, method, path, *statuses, what, token=None, json_body=None):
        """A widget API call (/api/v1/widget/{site_key}/{path}) as a visitor on the site's first origin."""
        return expect(http(method, f"{self.base}/api/v1/widget/{site['site_key']}/{path}", token=token,
                           json_body=json_body, origin=site["allowed_origins"][0]), *statuses, what=what).json()

    # Conversations

    def conversations(self, site):
        return self.call("GET", self.org_path(f"conversations?site={site['id']}&limit=100"), 200,
                         what="list conversations").json()["items"]

    def conversation(self, conversation_id):
        return self.call("GET", self.org_path(f"conversations/{conversation_id}"), 200,
                         what="GET conversation").json()

    def messages(self, conversation_id):
        return self.call("GET", self.org_path(f"conversations/{conversation_id}/messages?limit=100"), 200,
                         what="list messages").json()["items"]

    def reply(self, conversation_id, body):
        return self.call("POST", self.org_path(f"conversations/{conversation_id}/messages"), 201,
                         what="agent reply", json_body={"body": body}).json()

    def set_status(self, conversation_id, status):
        return self.call("PATCH", self.org_path(f"conversations/{conversation_id}"), 200,
                         what=f"set conversation status {status}", json_body={"status": status}).json()

    def attachment_bytes(self, attachment_id):
        link = self.call("GET", self.org_path(f"attachments/{attachment_id}/link"), 200,
                         what="member attachment link").json()
        assert link.get("url", "").startswith("/files/"), f"server: attachment link url is {link.get('url')!r}"
        return expect(http("GET", self.base + link["url"]), 200, what="download attachment").body

    def leads(self, site=None):
        """The newest 100 leads of the organization, or of one site."""
        query = f"&site={site['id']}" if site else ""
        return self.call("GET", self.org_path(f"leads?limit=100{query}"), 200, what="list leads").json()["items"]


class AgentSocket:
    """A member's realtime socket subscribed to the organization's inbox; frames are collected by a
    reader thread and waited for with `wait_for`. A context manager: leaving it closes the socket."""

    def __init__(self, base, token, org):
        ws_base = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self.url = f"{ws_base}/ws?" + urllib.parse.urlencode({"access_token": token, "org": org})
        self.frames = []
        self.changed = threading.Condition()
        self.stack = contextlib.ExitStack()

    def __enter__(self):
        self.ws = self.stack.enter_context(connect(self.url, open_timeout=TIMEOUT, close_timeout=2))
        reader = threading.Thread(target=self._read, name="agent-socket", daemon=True)
        reader.start()
        self.stack.callback(reader.join, 5)
        self.stack.callback(self.ws.close)  # ends the reader before it is joined
        try:
            self.send({"type": "subscribe_inbox", "id": "inbox"})
            self.wait_for(lambda f: f.get("type") == "ack" and f.get("id") == "inbox", what="subscribe_inbox ack")
        except BaseException:
            self.stack.close()
            raise
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def _read(self):
        try:
            for raw in self.ws:
                frame = json.loads(raw)
                with self.changed:
                    self.frames.append(frame)
                    self.changed.notify_all()
        except ConnectionClosed:
            pass

    def send(self, frame):
        self.ws.send(json.dumps(frame))

    def wait_for(self, predicate, timeout=TIMEOUT, what="frame"):
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for frame in self.frames:
                    if frame.get("type") == "error":
                        raise AssertionError(f"agent socket got an error frame: {frame}")
                    if predicate(frame):
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f.get("event") or f.get("type") for f in self.frames]
                    raise AssertionError(f"agent socket: no {what} within {timeout}s (frames seen: {seen})")
                self.changed.wait(remaining)

    def wait_message(self, predicate, timeout=TIMEOUT, what="message.created"):
        """The `data` (a Message) of the first message.created event matching `predicate`."""
        frame = self.wait_for(
            lambda f: f.get("type") == "event" and f.get("event") == "message.created" and predicate(f["data"]),
            timeout=timeout, what=what)
        return frame["data"]
