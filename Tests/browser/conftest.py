"""Fixtures for the widget's browser tests. Run them through scripts/browser-tests.sh, which starts
the server and passes:

  PARLEY_BASE         the server's base URL (http://127.0.0.1:PORT)
  PARLEY_CREDENTIALS  path of the server's initial-credentials.json (owner email and password, org id)
  PARLEY_ARTIFACTS    where screenshots, page dumps and metrics.json go
  CHROMIUM, CHROMEDRIVER  optional overrides of /usr/bin/chromium and /usr/bin/chromedriver
"""

import json
import os
import re
import socket
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from hostpage import HostPageServer, WidgetFilesServer
from parley_api import AgentSocket, Parley
from widget_page import BrowserLog, Widget

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the browser tests through scripts/browser-tests.sh", returncode=2)
    return value


@pytest.fixture(scope="session")
def base():
    return _env("PARLEY_BASE").rstrip("/")


@pytest.fixture(scope="session")
def artifacts():
    path = Path(_env("PARLEY_ARTIFACTS"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def parley(base):
    with open(_env("PARLEY_CREDENTIALS")) as f:
        return Parley(base, json.load(f))


@pytest.fixture(scope="session")
def host_page(base):
    """The customer's page, on an origin the test sites allow."""
    server = HostPageServer(base)
    yield server
    server.close()


@pytest.fixture(scope="session")
def foreign_page(base):
    """Another page on an origin no site allows."""
    server = HostPageServer(base)
    yield server
    server.close()


@pytest.fixture(scope="session")
def dead_page():
    """A host page whose widget BASE is a port where nothing listens (the Parley server is down). The
    port stays bound without listening, so connections are refused and no other process takes it."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        server = HostPageServer(f"http://127.0.0.1:{bound.getsockname()[1]}")
        yield server
        server.close()


@pytest.fixture(scope="session")
def files_only_page(base):
    """A host page whose widget BASE serves the widget's files but answers 404 to /api (WidgetFilesServer)."""
    files = WidgetFilesServer(base)
    server = HostPageServer(files.origin)
    yield server
    server.close()
    files.close()


@pytest.fixture
def site(request, parley, host_page):
    """A fresh site per test (its own visitors and conversations) allowing only the host page's origin."""
    return parley.create_site(f"browser {request.node.name}"[:200], [host_page.origin])


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _slug(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _new_browser():
    """Headless Chromium with a fresh profile (its own storage and cache)."""
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    browser = webdriver.Chrome(options=options, service=service)
    browser.command_executor.client_config.timeout = 60  # no WebDriver call may hang the run
    browser.set_page_load_timeout(20)
    browser.set_script_timeout(10)
    browser.console_log = BrowserLog(browser)
    return browser


def _finish(request, browser, stem):
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _dump_failure(browser, stem)
    browser.quit()


@pytest.fixture
def driver(request, artifacts):
    browser = _new_browser()
    yield browser
    _finish(request, browser, artifacts / f"FAILED-{_slug(request.node.name)}")


@pytest.fixture
def second_driver(request, artifacts):
    """Another browser with its own fresh profile: the same person on another device."""
    browser = _new_browser()
    yield browser
    _finish(request, browser, artifacts / f"FAILED-{_slug(request.node.name)}-second")


def _dump_failure(browser, stem):
    """A screenshot and the page's markup including the widget's shadow root, for the post-mortem."""
    try:
        browser.save_screenshot(f"{stem}.png")
        markup = browser.execute_script("""
            const host = document.querySelector('[data-parley-widget]');
            return document.documentElement.outerHTML + '\\n\\n<!-- shadow root -->\\n'
                + (host && host.shadowRoot ? host.shadowRoot.innerHTML : '(none)');""")
        Path(f"{stem}.html").write_text(markup)
        logs = browser.console_log.collect()
        Path(f"{stem}.console.txt").write_text("\n".join(f"{e['level']}: {e['message']}" for e in logs))
    except Exception as error:  # the browser may be what failed; the test's own failure is what matters
        print(f"could not save the failure dump {stem}: {error}")


@pytest.fixture
def console(driver):
    return driver.console_log


@pytest.fixture
def widget(driver):
    return Widget(driver)


@pytest.fixture
def load(driver, host_page):
    """load(site, csp="strict", css="plain", page=None, browser=None, **options): opens the host page
    embedding that site's widget (options: lang, locale, js; see hostpage.py) in `browser` (the
    test's driver by default)."""
    def load_page(site, csp="strict", css="plain", page=None, browser=None, **options):
        (browser or driver).get((page or host_page).url(site["site_key"], csp=csp, css=css, **options))
    return load_page


@pytest.fixture
def agent(base, parley):
    """An agent's dashboard socket on the whole inbox. It makes the organization's agents online, so
    the widget offers its composer (with nobody online and no conversation it shows the offline form)."""
    with AgentSocket(base, parley.token, parley.org) as socket:
        yield socket


@pytest.fixture
def screenshot(driver, artifacts):
    def save(name):
        driver.save_screenshot(str(artifacts / f"{name}.png"))
    return save
