"""Dashboard figures in headless Chromium (run by scripts/dashboard-bench.sh, which seeds the
organization and starts the server).

(i)  Load: navigation to /app/o/{org}/inbox/all → body[data-app-state=ready] with inbox rows on
     screen. The time is the page's own `parley:ready` performance mark (ms after navigation start).
     Cold: the browser cache is cleared (CDP) before the load; warm: the load right after another.
(ii) Visitor send → visible: a MutationObserver installed in the page before the widget-API POST
     notes when the message shows in the open conversation and in its inbox row; both sides read
     the wall clock of this host (Date.now() in the page, time.time() here).
"""

import argparse
import json
import os
import statistics
import time
import urllib.error
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ORIGIN = "http://bench.parley.test"


def http(method, url, body=None, token=None, origin=None):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read()
            return reply.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {url} -> {error.code}: {error.read()[:300]!r}") from None


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def browser():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def wait_ready(driver, timeout=60):
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: d.execute_script(
        "return document.body && document.body.dataset.appState === 'ready'"
        " && document.querySelectorAll('[data-testid=\"conversation-row\"]').length > 0"))
    return driver.execute_script("""const m = performance.getEntriesByName('parley:ready')[0];
        return {ready: m ? m.startTime : null, rows: document.querySelectorAll('[data-testid="conversation-row"]').length,
                all: (document.querySelector('[data-testid="view-all"] [data-testid="view-count"]') || {}).textContent || ''};""")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--credentials", required=True, help="the seed's JSON line")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--out")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    credentials = json.loads(args.credentials)
    org = credentials["org_id"]

    _, pair = http("POST", base + "/api/v1/auth/login", {"email": credentials["email"], "password": credentials["password"]})
    token = pair["access_token"]
    _, site = http("POST", f"{base}/api/v1/orgs/{org}/sites", {"name": "Bench site", "allowed_origins": [ORIGIN]}, token)
    session = {"access_token": pair["access_token"], "refresh_token": pair["refresh_token"],
               "expires_at": int(time.time() * 1000) + int(pair.get("expires_in", 900)) * 1000, "user_id": pair["user"]["id"]}

    _, everything = http("GET", f"{base}/api/v1/orgs/{org}/conversations/counts", token=token)
    driver = browser()
    try:
        # A page of the origin without the dashboard, to store the session (no login screen in the figures).
        driver.get(base + "/health")
        driver.execute_script("localStorage.setItem('parley.session', arguments[0])", json.dumps(session))
        inbox = f"{base}/app"  # redirects (replaceState) to the organization's inbox

        cold, warm = [], []
        last = {}
        for _ in range(args.runs):
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.get(inbox)
            last = wait_ready(driver)
            cold.append(last["ready"])
            driver.get(inbox)
            last = wait_ready(driver)
            warm.append(last["ready"])
        # The view counts come a moment after the list (not part of the figure): read them once.
        last["all"] = WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "const c = document.querySelector('[data-testid=\"view-all\"] [data-testid=\"view-count\"]');"
            " return c && c.dataset.count;"))

        # (ii) visitor → dashboard
        _, visitor = http("POST", f"{base}/api/v1/widget/{site['site_key']}/sessions", {}, origin=ORIGIN)
        vtoken = visitor["visitor_token"]
        _, first = http("POST", f"{base}/api/v1/widget/{site['site_key']}/messages",
                        {"body": "Benchmark visitor here", "client_id": "b-0"}, vtoken, ORIGIN)
        conversation = first["conversation_id"]
        driver.get(f"{base}/app/o/{org}/c/{conversation}")
        wait_ready(driver)
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "const c = document.querySelector('[data-testid=\"conversation\"]'); return c && c.dataset.state === 'ready';"))
        driver.execute_script("""
            window.__bench = {};
            const texts = (sel) => [...document.querySelectorAll(sel)].map(e => e.textContent);
            new MutationObserver(() => {
              const now = Date.now();
              for (const [body, t] of Object.entries(window.__bench)) {
                if (!t.conv && texts('[data-testid="conversation"] [data-testid="message"][data-id] [data-testid="message-body"]').includes(body)) t.conv = now;
                if (!t.row && texts('[data-testid="conversation-row"] [data-testid="row-preview"]').includes(body)) t.row = now;
              }
            }).observe(document.body, {subtree: true, childList: true, characterData: true});""")
        to_conv, to_row, post = [], [], []
        for i in range(args.sends):
            body = f"bench message {i} {uuid.uuid4().hex[:8]}"
            driver.execute_script("window.__bench[arguments[0]] = {}", body)
            t0 = time.time() * 1000
            http("POST", f"{base}/api/v1/widget/{site['site_key']}/messages", {"body": body, "client_id": f"b-{i + 1}"}, vtoken, ORIGIN)
            t1 = time.time() * 1000
            seen = WebDriverWait(driver, 30, poll_frequency=0.02).until(lambda d: d.execute_script(
                "const t = window.__bench[arguments[0]]; return t.conv && t.row ? t : null;", body))
            to_conv.append(seen["conv"] - t0)
            to_row.append(seen["row"] - t0)
            post.append(t1 - t0)
    finally:
        driver.quit()

    figures = {
        "conversations": everything.get("all"), "open_conversations": last.get("all"), "rows_rendered": last.get("rows"),
        "load_ms": {"cold": cold, "warm": warm},
        "send_to_visible_ms": {"conversation": to_conv, "inbox_row": to_row, "visitor_post": post},
    }
    if args.out:
        with open(args.out, "w") as f:
            json.dump(figures, f, indent=2)

    def line(name, values, ps):
        parts = [f"{label} {percentile(values, p):7.1f} ms" for label, p in ps]
        print(f"  {name:<34} " + "   ".join(parts) + f"   (n={len(values)})")

    print()
    print(f"Dashboard with {everything.get('all', args.conversations):,} conversations in the organization "
          f"({last.get('all')} open: the default view; {last.get('rows')} rows rendered on the first screen)")
    print("(i) navigation to /app -> inbox ready (data-app-state=ready, rows rendered)")
    line("cold (browser cache cleared)", cold, [("p50", 50), ("max", 100)])
    line("warm", warm, [("p50", 50), ("max", 100)])
    print("(ii) visitor send (widget API POST) -> visible in the dashboard")
    line("in the open conversation", to_conv, [("p50", 50), ("p99", 99), ("max", 100)])
    line("in the inbox row", to_row, [("p50", 50), ("p99", 99), ("max", 100)])
    line("(the POST itself)", post, [("p50", 50), ("p99", 99), ("max", 100)])
    if args.out:
        print(f"  raw figures: {args.out}")
    if statistics.median(to_conv) != statistics.median(to_conv):  # NaN guard
        raise SystemExit("no figures")


if __name__ == "__main__":
    main()
