"""Appearance from the site's widget settings: theme colour, position, reply time and greeting, as the
owner sets them with PATCH sites/{site} {"widget": {...}}."""

from widget_page import wait_until

GREEN = "#0a7d3b"
GREEN_RGB = "rgb(10, 125, 59)"
GREETING = "Hello from the test"
# Sources/ParleyServer/Public/widget/i18n.js, en.hours (reply_time "hours")
REPLY_HOURS = "Usually replies in a few hours"


def test_theme_position_reply_time_and_greeting_follow_the_settings(load, site, driver, widget, console, parley,
                                                                     screenshot):
    parley.patch_widget(site, theme_color=GREEN, position="left", reply_time="hours", greeting=GREETING)

    load(site)
    widget.wait_ready()
    widget.wait_shown("launcher")
    background = widget.js("return getComputedStyle(byId('launcher')).backgroundColor;")
    assert background == GREEN_RGB, f"launcher background is {background}, theme_color {GREEN} is {GREEN_RGB}"
    width = driver.execute_script("return innerWidth")
    launcher = widget.rect("launcher")
    assert launcher["left"] < width / 2 and launcher["right"] < width / 2, \
        f"settings say position=left, the launcher is at {launcher} in a {width}px wide window"

    widget.open()
    panel = widget.rect("panel")
    assert panel["left"] < width / 2, f"position=left, but the open panel is at {panel} in a {width}px wide window"
    header = widget.js("return getComputedStyle(root.querySelector('header')).backgroundColor;")
    assert header == GREEN_RGB, f"panel header background is {header}, expected the theme colour {GREEN_RGB}"
    assert widget.is_shown("reply-time"), f"reply-time hidden with reply_time=hours: {widget.describe()}"
    assert widget.text("reply-time").strip() == REPLY_HOURS, f"reply-time says {widget.text('reply-time')!r}"
    assert widget.is_shown("greeting"), f"greeting hidden: {widget.describe()}"
    assert widget.text("greeting").strip() == GREETING, f"greeting says {widget.text('greeting')!r}"
    wait_until(driver, lambda: widget.js("return byId('panel').getAnimations().every(a => a.playState === 'finished');"),
               "the panel's opening animation to finish (for the screenshot)")
    screenshot("appearance-left-green")
    console.assert_clean()
