"""When Parley is down the customer's page must not notice: the widget's script cannot load at all
(nothing listens at BASE), or its files load from a CDN-like origin whose API answers 404. Either
way the page renders, its own script keeps working, its layout does not move and nothing throws.

Both pages carry the page's own script (js=1 in hostpage.py): it records the layout before the
widget's tag is parsed (window.hostLayout), collects uncaught errors and unhandled rejections
(window.hostErrors) and counts clicks on #host-button."""

import re

from selenium.webdriver.common.by import By

from hostpage import HOST_LAYOUT
from widget_page import api_responses, wait_until


def wait_page_loaded(driver):
    """The window's load event, which waits for the async widget script to load or fail."""
    wait_until(driver, lambda: driver.execute_script("return document.body.hasAttribute('data-host-loaded')"),
               "the host page's load event (its own script sets data-host-loaded)")


def assert_page_unaffected(driver):
    title = driver.find_element(By.ID, "host-title")
    assert title.is_displayed() and title.text == "Acme host page"
    button = driver.find_element(By.ID, "host-button")
    button.click()
    button.click()
    assert driver.find_element(By.ID, "host-count").text == "2", "the page's own click handler stopped working"
    now = driver.execute_script(HOST_LAYOUT + "return layout();")
    before = driver.execute_script("return window.hostLayout")
    assert now == before, f"the page's layout moved: before the widget {before}, now {now}"
    # Nothing is laid over the page, including where the launcher would be.
    covering = driver.execute_script("""
        const host = document.querySelector('[data-parley-widget]');
        return [[innerWidth - 40, innerHeight - 40], [innerWidth / 2, innerHeight / 2]]
            .map(([x, y]) => document.elementFromPoint(x, y))
            .filter(e => host && (e === host || host.contains(e))).length;""")
    assert covering == 0, "the widget's host element covers part of the page"
    errors = driver.execute_script("return window.hostErrors")
    assert errors == [], f"the page saw uncaught errors / unhandled rejections: {errors}"


def test_page_is_unaffected_when_the_widget_server_is_down(load, site, dead_page, driver, widget, console):
    load(site, page=dead_page, js=True)
    wait_page_loaded(driver)

    state = widget.state()
    assert state in (None, "error"), f"with widget.js unreachable the host element says {state!r}: {widget.describe()}"
    assert not (state and widget.is_shown("launcher")), f"a launcher without a server: {widget.describe()}"
    assert_page_unaffected(driver)
    console.assert_clean(allow=[re.escape(dead_page.base) + r"/widget\.js - Failed to load resource: "
                                r"net::ERR_CONNECTION_REFUSED"])


def test_widget_stays_out_of_the_way_when_its_api_is_unreachable(load, site, files_only_page, driver, widget,
                                                                  console):
    load(site, page=files_only_page, js=True)
    widget.wait_state("error")
    wait_page_loaded(driver)

    # The widget's code did load and run (a shadow root exists); what failed is its API.
    assert widget.js("return !!root"), "widget/main.js never ran: no shadow root on the host element"
    statuses = [status for url, status in api_responses(driver, "/settings")]
    assert 404 in statuses, f"GET settings answered {statuses} (resource timing), expected the static server's 404"

    assert not widget.is_shown("launcher"), f"launcher shown although the API is unreachable: {widget.describe()}"
    size = widget.js("const r = host.getBoundingClientRect(); return [r.width, r.height];")
    assert size == [0, 0], f"the failed widget's host element takes room: {size}"

    # The page may still call the API it was promised: the calls return, they do not throw.
    for name in ("open", "close", "open"):
        outcome = driver.execute_script("""
            try { const p = window.Parley[arguments[0]](); return {then: typeof (p && p.then)}; }
            catch (e) { return {thrown: String(e && e.message || e)}; }""", name)
        assert outcome == {"then": "function"}, f"Parley.{name}() on a failed widget: {outcome}"
    assert not widget.is_shown("panel"), f"Parley.open() showed a panel without an API: {widget.describe()}"

    assert_page_unaffected(driver)
    console.assert_clean(allow=[re.escape(files_only_page.base) + r"/api/"])
