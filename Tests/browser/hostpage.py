"""The third-party page that embeds the widget, served from its own origin (another port).

GET /page?site=KEY[&csp=strict|none][&css=plain|hostile] answers a small HTML page that embeds
`<script src="BASE/widget.js" data-site="KEY" async>`. With csp=strict (the default) the page
carries the strict Content-Security-Policy a careful customer would set: the widget may load code
and styles from BASE and talk to BASE only. The page's own stylesheet is an inline <style> allowed
by a per-response nonce that the widget is not told about.
"""

import html
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def page_html(base, site_key, css, nonce, title="Parley host test page"):
    stylesheet = {"plain": PLAIN_CSS, "hostile": HOSTILE_CSS}[css]
    return f"""<!doctype html>
<html lang="en">
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
</main>
<script src="{html.escape(base)}/widget.js" data-site="{html.escape(site_key)}" async></script>
</body>
</html>
"""


class HostPageServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, so its origin differs from BASE's."""

    def __init__(self, base):
        self.base = base
        parsed = urllib.parse.urlsplit(base)
        ws_origin = f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}"
        self.strict_csp = ("default-src 'none'; script-src {base}; style-src {base} 'nonce-{nonce}'; "
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
                body = page_html(server.base, query["site"], query.get("css", "plain"), nonce).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                if query.get("csp", "strict") == "strict":
                    self.send_header("Content-Security-Policy", server.strict_csp.replace("{nonce}", nonce))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="host-page", daemon=True)
        self.thread.start()

    def url(self, site_key, csp="strict", css="plain"):
        return f"{self.origin}/page?" + urllib.parse.urlencode({"site": site_key, "csp": csp, "css": css})

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
