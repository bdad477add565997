"""Embedding: the widget boots on a strict-CSP, hostile-CSS page of another origin, and stays dead
on an origin its site does not allow."""

import pytest
from selenium.webdriver.common.by import By

from parley_api import http
from widget_page import wait_until


@pytest.mark.usefixtures("agent")  # an agent online: the panel offers the composer
def test_widget_boots_under_strict_csp_and_hostile_css(load, site, driver, widget, console, parley, screenshot):
    assert parley.widget_settings(site)["position"] == "right"
    load(site, csp="strict", css="hostile")

    widget.wait_ready()
    assert driver.execute_script("return document.querySelectorAll('[data-parley-widget]').length") == 1
    assert driver.execute_script("return typeof window.Parley") == "object", "window.Parley is not set up"

    # The page's own rules reach inherited properties only; the widget must still look like itself.
    width, height = driver.execute_script("return [innerWidth, innerHeight]")
    launcher = widget.rect("launcher")
    assert widget.is_shown("launcher"), f"launcher not visible: {widget.describe()}"
    assert 24 <= launcher["width"] <= 120 and 24 <= launcher["height"] <= 120, f"launcher size {launcher}"
    assert launcher["right"] <= width and launcher["bottom"] <= height and launcher["top"] >= 0, \
        f"launcher is not inside the viewport (position: fixed lost to the page's CSS?): {launcher}"
    assert launcher["left"] > width / 2, f"settings say position=right, launcher is at {launcher}"
    assert driver.execute_script(
        "const r = arguments[0]; return document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2)"
        " === document.querySelector('[data-parley-widget]')", launcher), "the launcher is covered by the page"

    widget.open()
    panel = widget.rect("panel")
    assert panel["left"] >= 0 and panel["top"] >= 0 and panel["right"] <= width and panel["bottom"] <= height, \
        f"open panel does not fit the {width}x{height} viewport: {panel}"
    assert widget.text("header-title").strip(), "header-title is empty"
    for testid in ("composer", "send", "close"):
        assert widget.is_shown(testid), f"{testid} not visible in the open panel: {widget.describe()}"

    font_size = widget.js("return parseFloat(getComputedStyle(byId('composer')).fontSize);")
    assert font_size <= 24, f"composer font-size {font_size}px: the page's 40px !important leaks into the widget"

    # The stylesheet came from BASE inside the shadow root, not as inline styles.
    sheets = widget.js("""return [...root.querySelectorAll('link[rel=stylesheet]')].map(l => [l.href, !!l.sheet]);""")
    assert any(href.endswith("/widget/widget.css") and loaded for href, loaded in sheets), \
        f"widget.css not loaded inside the shadow root: {sheets}"
    assert widget.js("return root.querySelectorAll('style').length") == 0, "inline <style> in the shadow root"

    screenshot("embed-hostile-css-open")
    widget.close()
    console.assert_clean()


def test_origin_not_allowed_gets_no_working_widget(load, site, foreign_page, driver, widget, console, base):
    # The server's side of it: the foreign origin is refused without CORS headers.
    refused = http("POST", f"{base}/api/v1/widget/{site['site_key']}/sessions", json_body={},
                   origin=foreign_page.origin)
    assert refused.status == 403, f"server: session from a foreign origin answered {refused.describe()}"
    assert "Access-Control-Allow-Origin" not in refused.headers

    load(site, page=foreign_page)
    assert driver.execute_script("return document.readyState") == "complete"
    try:
        widget.wait_state("error", timeout=10)
    except AssertionError:
        # A widget may also just stay away; it must never become usable.
        assert widget.state() != "ready", f"widget became ready on a foreign origin: {widget.describe()}"
        assert not (widget.state() and widget.is_shown("launcher")), f"launcher shown: {widget.describe()}"
    else:
        if widget.is_shown("launcher"):
            widget.element("launcher").click()
            assert not widget.is_shown("composer"), "a refused widget still offers a composer"

    # The host page is untouched: content in place, nothing laid over it, no page-level errors.
    title = driver.find_element(By.ID, "host-title")
    assert title.is_displayed() and title.text == "Acme host page"
    assert driver.title == "Parley host test page"
    assert driver.execute_script("""const e = document.getElementById('host-title'), r = e.getBoundingClientRect();
        return document.elementFromPoint(r.left + 5, r.top + 5) === e;"""), "something covers the host page"
    assert driver.execute_script("return document.body.children.length") <= 3  # main, the script, the widget host
    console.assert_clean(allow=[r"blocked by CORS policy", r"Failed to load resource: .* 403", r"/api/v1/widget/.*403",
                                r"net::ERR_FAILED"])


def test_widget_loader_is_a_quiet_classic_script(load, site, driver, widget, console):
    """widget.js is one classic script that sets up the queue stub before the modules arrive:
    calls made early are replayed instead of throwing."""
    load(site)
    wait_until(driver, lambda: driver.execute_script("return !!window.Parley"), "window.Parley")
    driver.execute_script("window.Parley.open();")
    widget.wait_ready()
    widget.wait_shown("panel", timeout=5)  # the early Parley.open() was replayed
    console.assert_clean()
