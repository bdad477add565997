"""Figures, printed and written to metrics.json: what the widget costs a page (gzipped bytes of
every static file it loads) and how long until it is usable (navigation start -> data-state=ready)."""

import gzip
import json

from parley_api import expect, http
from widget_page import wait_until

# Injected through DevTools before any page script runs (so the page's CSP does not apply and the
# page needs no script of its own): records performance.now() - milliseconds since navigation
# start - when the host element first reaches data-state="ready".
READY_PROBE = """
new MutationObserver(() => {
  const host = document.querySelector('[data-parley-widget]');
  if (host && host.getAttribute('data-state') === 'ready' && window.__parleyReadyAt === undefined) {
    window.__parleyReadyAt = performance.now();
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-state']});
"""


def time_to_ready(driver, widget):
    widget.wait_ready()
    wait_until(driver, lambda: driver.execute_script("return window.__parleyReadyAt !== undefined"),
               "the ready probe to fire")
    return driver.execute_script("""
        const nav = performance.getEntriesByType('navigation')[0];
        return {ready_ms: window.__parleyReadyAt, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                load_event_ms: nav.loadEventEnd};""")


def static_files(driver, base):
    """Every file the widget fetched from BASE except API calls and attachments, in load order."""
    return driver.execute_script("""
        return performance.getEntriesByType('resource').map(e => e.name)
            .filter(n => n.startsWith(arguments[0] + '/') && !n.includes('/api/') && !n.includes('/files/'));""", base)


def test_widget_size_and_time_to_interactive(load, site, base, driver, widget, console, artifacts, capsys,
                                             record_property):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": READY_PROBE})

    load(site)  # a fresh browser profile: nothing cached
    cold = time_to_ready(driver, widget)
    urls = static_files(driver, base)
    driver.refresh()  # the same files again, from the HTTP cache where the server allows it
    warm = time_to_ready(driver, widget)

    files = []
    for url in dict.fromkeys(urls):
        body = expect(http("GET", url), 200, what=f"GET {url}").body
        files.append({"path": url[len(base):], "bytes": len(body), "gzip_bytes": len(gzip.compress(body, 9))})
    paths = [f["path"] for f in files]
    for required in ("/widget.js", "/widget/main.js", "/widget/widget.css"):
        assert required in paths, f"{required} was not loaded by the widget (loaded: {paths})"

    metrics = {
        "widget_gzip_bytes_total": sum(f["gzip_bytes"] for f in files),
        "widget_bytes_total": sum(f["bytes"] for f in files),
        "files": files,
        "time_to_ready_ms": {"cold": round(cold["ready_ms"], 1), "warm": round(warm["ready_ms"], 1)},
        "navigation_ms": {"cold": cold, "warm": warm},
    }
    (artifacts / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    record_property("widget_gzip_bytes_total", metrics["widget_gzip_bytes_total"])
    record_property("time_to_ready_ms_cold", metrics["time_to_ready_ms"]["cold"])
    record_property("time_to_ready_ms_warm", metrics["time_to_ready_ms"]["warm"])
    with capsys.disabled():
        print(f"\n  widget size: {metrics['widget_gzip_bytes_total']} bytes gzip -9 "
              f"({metrics['widget_bytes_total']} raw) in {len(files)} files")
        for f in files:
            print(f"    {f['path']:<28} {f['gzip_bytes']:>7} gz  {f['bytes']:>7} raw")
        print(f"  time to data-state=ready: cold {metrics['time_to_ready_ms']['cold']} ms, "
              f"warm {metrics['time_to_ready_ms']['warm']} ms (from navigation start)")
    console.assert_clean()
