"""Real-browser tests of the view: ``solara run sim/view/app.py`` driven by Debian's Chromium.

One server serves the whole module; every test opens its own browser context (its own session,
so its own model). Without Chromium or Playwright these tests skip with what to install, unless
``REQUIRE_BROWSER_TESTS=1`` (as in CI), where they fail instead.

Screenshots land in ``test-artifacts/`` (git-ignored); their paths are printed.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    missing_requirements,
    solara_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

STEP_TIMEOUT_MS = 20_000
"""Generous: a step is about a second here, but CI machines are shared and slow."""


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    missing = missing_requirements()
    if missing:
        message = f"browser tests need {missing}"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {message}", pytrace=False)
        pytest.skip(message)
    with solara_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser(server_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    """A fresh session on the page, loaded and ready, that records every browser problem."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1500, "height": 2000})
    pg = context.new_page()
    pg.problems = []
    # Solara always logs one harmless warning ("Failed to evaluate Vue script"): errors only
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: pg.problems.append(f"request failed: {r.url} {r.failure}"))
    pg.on("response", lambda r: r.status >= 400 and pg.problems.append(f"{r.status}: {r.url}"))
    pg.goto(server_url)
    expect(pg.get_by_role("button", name="Step")).to_be_enabled(timeout=60_000)
    expect(pg.locator("img.widget-image")).to_have_count(2, timeout=60_000)
    yield pg
    context.close()


def _year(pg) -> int:
    text = pg.get_by_role("heading", name=re.compile(r"^Year \d{4}")).inner_text()
    return int(re.search(r"Year (\d{4})", text).group(1))


def _settled_year(pg, quiet_ms: int = 2_500, limit_ms: int = STEP_TIMEOUT_MS) -> int:
    """The year once it has not changed for ``quiet_ms``."""
    year, since, waited = _year(pg), 0, 0
    while since < quiet_ms:
        assert waited < limit_ms, "the year kept changing after pause"
        pg.wait_for_timeout(250)
        waited += 250
        now = _year(pg)
        since = since + 250 if now == year else 0
        year = now
    return year


def _screenshot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")


def _images_loaded(pg) -> list[tuple[int, int]]:
    return pg.locator("img.widget-image").evaluate_all(
        "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])"
    )


def test_page_loads_clean_and_shows_map_charts_and_explanation(page):
    from playwright.sync_api import expect

    assert _year(page) == 2023
    sizes = _images_loaded(page)
    assert len(sizes) == 2 and all(w > 300 and h > 300 for w, h in sizes), sizes
    expect(page.get_by_text("What you are looking at.")).to_be_visible()
    for group in ("Region", "Pipeline: training and side-entrants", "Labour market"):
        expect(page.get_by_role("button", name=group)).to_be_visible()
    expect(page.get_by_text("regional matching", exact=True)).to_be_visible()
    _screenshot(page, "browser-view.png")
    assert page.problems == []


def test_step_advances_the_year_and_redraws_the_charts(page):
    from playwright.sync_api import expect

    charts = page.locator("img.widget-image").nth(1)
    before = charts.get_attribute("src")
    took = []
    for year in (2024, 2025, 2026):
        start = time.perf_counter()
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_role("heading", name=re.compile(f"^Year {year}"))).to_be_visible(
            timeout=STEP_TIMEOUT_MS
        )
        expect(charts).not_to_have_attribute("src", before, timeout=STEP_TIMEOUT_MS)
        took.append(time.perf_counter() - start)
        before = charts.get_attribute("src")
    print(f"\nstep round trip in the browser: {', '.join(f'{t:.2f}' for t in took)} s")
    _screenshot(page, "browser-view-2026.png")
    assert page.problems == []


def test_play_runs_and_pause_stops(page):
    from playwright.sync_api import expect

    assert _year(page) == 2023  # its own model: earlier tests' sessions stepped theirs
    # the slowest play interval, so that pausing lands well before the run's last year
    page.get_by_role("slider", name="Play Interval (ms)").focus()
    page.keyboard.press("End")
    page.get_by_role("button", name="▶").click()
    expect(page.get_by_role("button", name="❚❚")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    # two years played on their own, then pause (the run goes to 2040 if left alone)
    expect(page.get_by_role("heading", name=re.compile(r"^Year 20(2[5-9]|3\d)"))).to_be_visible(
        timeout=4 * STEP_TIMEOUT_MS
    )
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="▶")).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    # a step already under way when pause was pressed may still land; after that, nothing
    paused = _settled_year(page)
    assert paused < 2040
    page.wait_for_timeout(3_000)  # many play intervals
    assert _year(page) == paused
    assert page.problems == []


def test_slider_and_policy_switch_take_effect_after_reset(page):
    from playwright.sync_api import expect

    assert _year(page) == 2023  # its own model, whatever other sessions did

    page.get_by_role("button", name="Step").click()
    expect(page.get_by_role("heading", name=re.compile("^Year 2024"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    # the pupil-trend slider of the Region group to its lowest value, by keyboard
    page.get_by_role("button", name="Region").click()
    control = page.locator(".param-pupil_trend_per_year")
    control.get_by_role("slider").focus()
    page.keyboard.press("Home")
    expect(control).to_contain_text("-0.02 share/year")
    # and one lever switched on
    page.get_by_text("joint induction", exact=True).click()
    expect(page.get_by_text("Policy: joint_induction")).to_be_visible()
    expect(page.get_by_text("Settings changed: press Reset")).to_be_visible()
    # nothing applies before Reset
    expect(page.locator(".changed-values")).to_have_count(0)
    assert _year(page) == 2024

    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_role("heading", name=re.compile("^Year 2023"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator(".changed-values")).to_contain_text("pupil_trend_per_year = -0.02")
    expect(page.locator(".arm-status")).to_have_count(1)
    expect(page.locator(".arm-status")).to_contain_text("joint_induction (1 lever)")
    expect(page.get_by_text("Settings changed: press Reset")).to_have_count(0)
    assert page.problems == []


def test_twin_mode_shows_both_arms(page):
    from playwright.sync_api import expect

    page.get_by_text("Twin mode: isolated next to the policy").click()
    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_role("heading", name=re.compile("twin mode"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    arms = page.locator(".arm-status")
    expect(arms).to_have_count(2)
    expect(arms.nth(0)).to_contain_text("isolated (0 levers)")
    expect(arms.nth(1)).to_contain_text("collaborative (9 levers)")
    maps = page.locator("img.widget-image").first
    before = maps.get_attribute("src")
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_role("heading", name=re.compile("^Year 2024"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    expect(maps).not_to_have_attribute("src", before, timeout=STEP_TIMEOUT_MS)
    (w, h), _ = _images_loaded(page)
    assert w > 1.5 * h  # two maps side by side
    _screenshot(page, "browser-view-twin.png")
    assert page.problems == []
