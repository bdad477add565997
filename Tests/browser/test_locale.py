"""Languages: the page's <html lang> picks the widget's strings, and the script's data-locale wins
over it. The expected strings are read from the i18n.js the server serves, never restated here."""

import re

import pytest

from parley_api import expect, http

SHOWN = """return {lang: root.querySelector('[lang]') && root.querySelector('[lang]').getAttribute('lang'),
                   open: byId('launcher').getAttribute('aria-label'),
                   placeholder: byId('composer').getAttribute('placeholder'),
                   close: byId('close').getAttribute('aria-label')};"""


@pytest.fixture(scope="module")
def strings(base):
    """strings(locale) -> {key: text}, from the `const en = {…}` / `de: {…}` blocks of widget/i18n.js."""
    source = expect(http("GET", f"{base}/widget/i18n.js"), 200, what="GET widget/i18n.js").body.decode("utf-8")

    def of(locale):
        start = re.search(r"^const en = \{" if locale == "en" else rf"^\s+{locale}: \{{", source, re.M)
        assert start, f"no {locale!r} block in widget/i18n.js"
        block = source[start.end():]
        block = block[:re.search(r"^\s*\}", block, re.M).start()]  # up to the line that closes it
        found = dict(re.findall(r"^\s*(\w+): '((?:[^'\\]|\\.)*)',?$", block, re.M))
        assert {"open", "close", "placeholder"} <= found.keys(), f"i18n.js {locale}: unexpected shape {found}"
        return found
    return of


def expected(strings, locale):
    t = strings(locale)
    return {"lang": locale, "open": t["open"], "placeholder": t["placeholder"], "close": t["close"]}


def test_page_language_selects_german(load, site, driver, widget, console, parley, strings):
    assert parley.widget_settings(site).get("locale") is None, "the site sets a locale: the page's lang would not count"
    assert not driver.execute_script("return navigator.language").lower().startswith("de"), \
        "the browser itself is German: this test could not tell <html lang> from navigator.language"
    german, english = expected(strings, "de"), expected(strings, "en")
    assert german["open"] != english["open"] and german["placeholder"] != english["placeholder"]

    load(site, lang="de")
    widget.wait_ready()
    shown = widget.js(SHOWN)
    assert shown == german, f"<html lang=de> page shows {shown}; i18n.js de says {german} (en: {english})"
    console.assert_clean()


def test_script_data_locale_wins_over_page_language(load, site, driver, widget, console, strings):
    french, german = expected(strings, "fr"), expected(strings, "de")
    assert french["open"] != german["open"] and french["placeholder"] != german["placeholder"]

    load(site, lang="de", locale="fr")
    widget.wait_ready()
    shown = widget.js(SHOWN)
    assert shown == french, f"data-locale=fr on a lang=de page shows {shown}; i18n.js fr says {french}"
    console.assert_clean()
