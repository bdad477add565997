"""The third-party page that embeds the widget, served from its own origin (another port).

GET /page?site=KEY[&csp=strict|none][&css=plain|hostile][&lang=L][&locale=L][&js=1] answers a small
HTML page that embeds `<script src="BASE/widget.js" data-site="KEY" async>`. With csp=strict (the
default) the page carries the strict Content-Security-Policy a careful customer would set: the widget
may load code and styles from BASE and talk to BASE only. The page's own stylesheet is an inline
<style> allowed by a per-response nonce that the widget is not told about.

lang sets `<html lang>` (default en), locale the script's `data-locale`. js=1 adds the page's own
inline script (allowed by the same nonce), placed before the widget's tag so it runs first: it
records the page's layout in `window.hostLayout` (see HOST_LAYOUT), collects uncaught errors and
unhandled rejections in `window.hostErrors`, counts clicks on `#host-button` in `#host-count`, and
sets `data-host-loaded` on <body> at the window's load event (after the async widget script has
loaded or failed).

`WidgetFilesServer` serves the widget's files (copied from the running Parley server) from yet
another origin whose /api answers 404: a widget whose code loads but whose API is unreachable.
"""

import html
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from parley_api import expect, http

PLAIN_CSS = """
body { font-family: serif; margin: 0; padding: 2rem; }
"""

# Rules that break a widget which relies on inheriting sane styles or on the page leaving generic
# elements alone. The host element itself stays displayed (a page that hides it wants no widget).
HOSTILE_CSS = """
body, body * {
  all: unset;
  font-size: 40px !important;
  line-height: 4 !important;
  letter-spacing: 8px !important;
  font-family: fantasy !important;
  color: #0f0 !important;
  cursor: crosshair !important;
}
div:not([data-parley-widget]), section, aside, form { display: none !important; }
button, input, textarea, img, a, svg { display: none !important; visibility: hidden !important; }
body > * { position: relative; z-index: 1; }
main { display: block; }
"""


# What the page's own script measures, when it runs (before the widget's tag) and again on demand:
# `HOST_LAYOUT + "return layout();"` in execute_script gives the same shape now.
HOST_LAYOUT = """
function layout() {
  var box = function (e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  var root = document.documentElement;
  return {content: box(document.getElementById('host-content')), body: box(document.body),
          scroll: [root.scrollWidth, root.scrollHeight]};
}
"""

HOST_SCRIPT = HOST_LAYOUT + """
window.hostErrors = [];
window.addEventListener('error', function (e) { window.hostErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) {
  window.hostErrors.push('unhandled rejection: ' + (e.reason && e.reason.message || String(e.reason)));
});
window.hostLayout = layout();
document.getElementById('host-button').addEventListener('click', function () {
  var count = document.getElementById('host-count');
  count.textContent = String(Number(count.textContent) + 1);
});
window.addEventListener('load', function () { document.body.setAttribute('data-host-loaded', ''); });
"""


def page_html(base, site_key, css, nonce, title="Parley host test page", lang="en", locale=None, js=False):
    stylesheet = {"plain": PLAIN_CSS, "hostile": HOSTILE_CSS}[css]
    locale_attr = f' data-locale="{html.escape(locale)}"' if locale else ""
    own = "" if not js else f"""  <p><button id="host-button" type="button">Count</button> <span id="host-count">0</span></p>
</main>
<script nonce="{nonce}">{HOST_SCRIPT}</script>"""
    return f"""<!doctype html>
<html lang="{html.escape(lang)}">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<style nonce="{nonce}">{stylesheet}</style>
</head>
<body>
<main id="host-content">
  <h1 id="host-title">Acme host page</h1>
  <p id="host-text">This page belongs to a customer of Parley and embeds its chat widget.</p>
{own or "</main>"}
<script src="{html.escape(base)}/widget.js" data-site="{html.escape(site_key)}"{locale_attr} async></script>
</body>
</html>
"""


def serve_in_background(handler, name):
    """Serves `handler` on a free loopback port in a daemon thread; returns the server and its origin."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name=name, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


class HostPageServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, so its origin differs from BASE's."""

    def __init__(self, base):
        self.base = base
        parsed = urllib.parse.urlsplit(base)
        ws_origin = f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}"
        self.strict_csp = ("default-src 'none'; script-src {base}{script_nonce}; style-src {base} 'nonce-{nonce}'; "
                           f"connect-src {base} {ws_origin}; img-src {base} data: blob:").replace("{base}", base)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                    return
                if url.path != "/page" or "site" not in query:
                    self.send_error(404)
                    return
                nonce = secrets.token_urlsafe(16)
                js = query.get("js") == "1"
                body = page_html(server.base, query["site"], query.get("css", "plain"), nonce, lang=query.get("lang", "en"),
                                 locale=query.get("locale"), js=js).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                if query.get("csp", "strict") == "strict":
                    csp = server.strict_csp.replace("{script_nonce}", f" 'nonce-{nonce}'" if js else "")
                    self.send_header("Content-Security-Policy", csp.replace("{nonce}", nonce))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd, self.origin = serve_in_background(Handler, "host-page")

    def url(self, site_key, csp="strict", css="plain", lang=None, locale=None, js=False):
        query = {"site": site_key, "csp": csp, "css": css}
        if lang:
            query["lang"] = lang
        if locale:
            query["locale"] = locale
        if js:
            query["js"] = "1"
        return f"{self.origin}/page?" + urllib.parse.urlencode(query)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class WidgetFilesServer:
    """/widget.js and /widget/* with the bytes the Parley server at `parley_base` serves (fetched on
    first use), `Access-Control-Allow-Origin: *` and JS/CSS content types; everything else,
    /api/... and its CORS preflights included, is 404. As a widget's BASE it stands for a CDN that
    still has the files while the API is down."""

    TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}

    def __init__(self, parley_base):
        self.parley_base = parley_base
        self.files = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body=b"", content_type="text/plain; charset=utf-8"):
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Type", content_type)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                kind = path.rsplit(".", 1)[-1]
                if (path == "/widget.js" or path.startswith("/widget/")) and ".." not in path and kind in server.TYPES:
                    self.answer(200, server.file(path), server.TYPES[kind])
                else:
                    self.answer(404, b"not found")

            def do_OPTIONS(self):  # noqa: N802
                self.answer(404, b"not found")

            do_POST = do_OPTIONS  # noqa: N815

            def log_message(self, *args):
                pass

        self.httpd, self.origin = serve_in_background(Handler, "widget-files")

    def file(self, path):
        with self.lock:
            if path not in self.files:
                reply = http("GET", self.parley_base + path)
                self.files[path] = expect(reply, 200, what=f"GET {path} from the Parley server").body
            return self.files[path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
