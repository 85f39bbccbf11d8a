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


def _open(browser, server_url, viewport):
    from playwright.sync_api import expect

    # the page redraws maps and charts after each action: under load (a shared 2-core CI
    # machine) that takes seconds, more than Playwright's default of 5 s
    expect.set_options(timeout=STEP_TIMEOUT_MS)

    context = browser.new_context(viewport=viewport, accept_downloads=True)
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
    return context, pg


@pytest.fixture
def page(browser, server_url):
    """A fresh session on the page, loaded and ready, that records every browser problem."""
    context, pg = _open(browser, server_url, {"width": 1500, "height": 2000})
    yield pg
    context.close()


@pytest.fixture
def laptop(browser, server_url):
    """The same on a 1280 x 800 screen, a common laptop size."""
    context, pg = _open(browser, server_url, {"width": 1280, "height": 800})
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
    page.get_by_role("slider", name="Play interval (ms)").focus()
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


# ---------------------------------------------------------- defects of issue 14
def _step_to(pg, year: int) -> None:
    from playwright.sync_api import expect

    pg.get_by_role("button", name="Step").click()
    expect(pg.get_by_role("heading", name=re.compile(f"^Year {year}"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )


def _reset(pg) -> None:
    from playwright.sync_api import expect

    pg.get_by_role("button", name="Reset").click()
    expect(pg.get_by_role("heading", name=re.compile("^Year 2023"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    # applied: the notice of pending settings is gone
    expect(pg.get_by_text("Settings changed: press Reset")).to_have_count(
        0, timeout=STEP_TIMEOUT_MS
    )


def test_opening_every_section_and_reset_leaves_the_run_at_the_scenario(page):
    """Defect 1: drawing a slider must not move its value (15.6 became 15.5, 0.069 0.07)."""
    from playwright.sync_api import expect

    status = page.locator(".arm-status").inner_text()
    for group in ("Region", "Pipeline: training and side-entrants", "Labour market"):
        page.get_by_role("button", name=group).click()
    page.wait_for_timeout(1_000)  # sliders that snap do so as soon as they are drawn
    expect(page.get_by_text("Settings changed: press Reset")).to_have_count(0)
    _reset(page)
    expect(page.locator(".changed-values")).to_have_count(0)
    assert page.locator(".arm-status").inner_text() == status
    assert page.problems == []


def test_sidebar_never_covers_the_main_area_at_1280_by_800(laptop):
    """Defect 2: a long custom policy name widened the sidebar over the results."""
    from playwright.sync_api import expect

    pg = laptop
    # a lever mix that matches no preset: a long "a+b+c+d+e" policy name
    for lever in (
        "joint induction",
        "outreach",
        "dual qualification",
        "slow finisher help",
        "joint side entrant programme",
    ):
        pg.get_by_text(lever, exact=True).click()
    expect(pg.locator(".policy-name")).to_contain_text("joint_induction+")
    _reset(pg)
    expect(pg.locator(".arm-status")).to_contain_text("(5 levers)")
    box = pg.evaluate(
        """() => {
          const d = document.querySelector('.v-navigation-drawer').getBoundingClientRect();
          const c = document.querySelector('.v-navigation-drawer__content');
          const texts = [...document.querySelectorAll('.view-title, .arm-status')]
            .map(e => e.getBoundingClientRect().left);
          return {right: d.right, main_left: Math.min(...texts),
                  overflow: c.scrollWidth - c.clientWidth};
        }"""
    )
    assert box["right"] <= box["main_left"], box
    assert box["overflow"] <= 0, box
    # the status line is not cut off: it ends inside the window
    right = pg.locator(".arm-status").evaluate("e => e.getBoundingClientRect().right")
    assert right <= 1280
    # nor is the cost table, whose first column holds the long name
    costs = pg.locator(".costs").evaluate("e => e.getBoundingClientRect().right")
    assert costs <= 1280
    _screenshot(pg, "browser-view-1280.png")
    assert pg.problems == []


def test_twin_mode_with_policy_isolated_says_what_it_compares(page):
    """Defect 5a: twin mode with "Policy: isolated" silently compared with collaborative."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="isolated").click()
    page.get_by_text("Twin mode: isolated next to the policy").click()
    expect(page.locator(".twin-fallback-note")).to_contain_text("collaborative")
    _reset(page)
    expect(page.locator(".twin-fallback")).to_contain_text(
        "isolated is compared with collaborative"
    )
    expect(page.locator(".arm-status").nth(1)).to_contain_text("collaborative")
    assert page.problems == []


def test_legends_and_map_names_show_at_a_readable_size(laptop):
    """Defect 5b: legends were 6-7 px on screen; every chart and map text is now 9 px or more."""
    from sim.view.charts import LEGEND_FONTSIZE

    sizes = laptop.locator("img.widget-image").evaluate_all(
        "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])"
    )
    (map_natural, map_shown), (chart_natural, chart_shown) = sizes
    # the figures are drawn at 72 dpi: one point is one natural pixel
    assert LEGEND_FONTSIZE * chart_shown / chart_natural >= 9.0, sizes
    assert 9 * map_shown / map_natural >= 6.5, sizes  # municipality names, map beside the text
    assert laptop.problems == []


def test_lever_explanations_are_visible_without_hovering(page):
    """Defect 5c: a lever's explanation appeared only when hovering the switch's knob."""
    from playwright.sync_api import expect

    from sim.model.policies import LEVERS

    effect = LEVERS["regional_matching"].effect
    expect(page.get_by_text(effect[:40])).to_be_visible()
    expect(page.locator(".lever-effect")).to_have_count(len(LEVERS))


def test_step_advances_exactly_one_year(page):
    """Defect 5d: with "Render interval" above 1 one Step jumped several years."""
    render = page.get_by_role("slider", name=re.compile("Render Interval"))
    if render.count():  # the old page: set it high, as a user might
        render.focus()
        page.keyboard.press("End")
    _step_to(page, 2024)
    assert _settled_year(page) == 2024
    _step_to(page, 2025)
    assert _settled_year(page) == 2025
    assert page.problems == []


def test_information_card_shows_the_year_and_the_finished_run(page):
    """Defects 5e and 5f: a visible "run finished" state; "Year 2028", not "Time: 5.0"."""
    from playwright.sync_api import expect

    expect(page.locator(".info-year")).to_have_text("Year 2023")
    expect(page.get_by_text(re.compile(r"^Time: "))).to_have_count(0)
    # a run of one year: one Step finishes it
    page.locator(".years-to-run").get_by_role("slider").focus()
    page.keyboard.press("Home")
    expect(page.get_by_text("Years to run: 1 (to 2024)")).to_be_visible()
    _reset(page)
    _step_to(page, 2024)
    expect(page.locator(".run-finished")).to_contain_text("Run finished: 2024 reached")
    expect(page.locator(".info-finished")).to_have_text("Run finished")
    expect(page.locator(".info-year")).to_have_text("Year 2024")
    expect(page.get_by_role("button", name="Step")).to_be_disabled()
    expect(page.get_by_role("button", name="▶")).to_be_disabled()
    assert page.problems == []


# ---------------------------------------------------------------- costs in sight
def test_costs_per_arm_next_to_the_shortage_avoided(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="collaborative").click()
    page.get_by_text("Twin mode: isolated next to the policy").click()
    _reset(page)
    _step_to(page, 2024)
    _step_to(page, 2025)
    table = page.locator(".cost-table")
    expect(table.locator("tr.cost-arm")).to_have_count(2)
    iso, col = table.locator("tr.cost-arm").nth(0), table.locator("tr.cost-arm").nth(1)
    expect(iso).to_contain_text("EUR 0")
    cells = col.locator("td").all_inner_texts()
    year_eur, year_fte, total_eur, total_fte, avoided, avoided_years = cells
    assert total_eur.startswith("EUR ") and float(total_fte.replace(",", "")) > 0, cells
    assert year_eur.startswith("EUR ") and year_eur != "EUR 0", cells
    assert year_fte.endswith(" fte") and float(year_fte.split()[0].replace(",", "")) > 0, cells
    assert avoided.endswith(" fte") and avoided_years != "–", cells
    # one row per lever under the collaborative arm
    expect(table.locator("tr.cost-lever")).to_have_count(9)
    expect(table).to_contain_text("regional matching")
    assert page.problems == []


# ----------------------------------------------------------------- take-away
def _download(pg, label: str):
    with pg.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        pg.get_by_role("button", name=label).click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_downloads_series_schools_charts_and_a_scenario_for_a_study(page, tmp_path):
    import io
    import tomllib

    import pandas as pd
    from playwright.sync_api import expect

    from sim.model.scenarios import load_scenario

    _step_to(page, 2024)
    name, data = _download(page, "Yearly series (CSV)")
    series = pd.read_csv(io.BytesIO(data))
    assert name.endswith("-series.csv")
    assert list(series["year"]) == [2023, 2024] and set(series["arm"]) == {"isolated"}
    assert {"shortage_rate", "lever_cost_eur", "lever_cost_fte"} <= set(series.columns)
    name, data = _download(page, "School table (CSV)")
    schools = pd.read_csv(io.BytesIO(data))
    assert len(schools) == 134 and {"school", "municipality", "board", "pupils"} <= set(
        schools.columns
    )
    name, data = _download(page, "Charts (PNG)")
    assert name.endswith(".png") and data[:8] == b"\x89PNG\r\n\x1a\n"

    # a changed parameter travels into the scenario file and the command
    page.get_by_role("button", name="Region").click()
    control = page.locator(".param-pupil_trend_per_year")
    control.get_by_role("slider").focus()
    page.keyboard.press("Home")
    expect(control).to_contain_text("-0.02 share/year")
    expect(page.locator(".study-changes")).to_contain_text("pupil_trend_per_year = -0.02")
    name, data = _download(page, "Use these settings in a study (scenario TOML)")
    assert name == "rijnmond-view.toml"
    assert tomllib.loads(data.decode())["parameters"]["pupil_trend_per_year"] == -0.02
    path = tmp_path / name
    path.write_bytes(data)
    assert load_scenario(path).parameters().pupil_trend_per_year == -0.02
    commands = page.locator(".study-commands").inner_text()
    assert "python experiments/compare_policies.py --scenario rijnmond-view.toml" in commands
    assert "python -m sim run --scenario rijnmond-view.toml --policy isolated --rng 1" in commands
    assert page.problems == []


def test_scenario_chooser_takes_a_users_file(page, tmp_path):
    from playwright.sync_api import expect

    from sim.model.scenarios import SCENARIO_DIR

    text = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8")
    mine = tmp_path / "my-region.toml"
    mine.write_text(text.replace('name = "rijnmond"', 'name = "my-region"', 1), encoding="utf-8")
    box = page.get_by_label("or a scenario file (.toml path)")
    box.fill(str(mine))
    box.press("Enter")
    expect(page.get_by_text("Settings changed: press Reset")).to_be_visible()
    _reset(page)
    expect(page.get_by_text("Teacher supply in My Region")).to_be_visible()
    # a file that does not exist: the loader's message, and nothing changes
    box.fill(str(tmp_path / "missing.toml"))
    box.press("Enter")
    expect(page.get_by_text("does not exist")).to_be_visible()
    assert page.problems == []


# ---------------------------------------------------------------- readable map
def test_map_names_a_school_on_hover_and_in_the_finder(page):
    from playwright.sync_api import expect

    sites = page.locator(".school-site")
    expect(sites).to_have_count(134)  # rijnmond: 134 real sites
    title = sites.first.locator("title").text_content()
    # a real school (DUO 2025): its name, (municipality), board, pupils and shortage
    assert re.search(r"^.+ \([^)]+\), board \d+: [\d,]+ pupils, shortage \d+\.\d%", title), title
    # under the pointer at a drawn school there is a hover target naming a school
    img = page.locator(".map-box img").bounding_box()
    for i in range(5):
        box = sites.nth(i).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        assert img["x"] <= x <= img["x"] + img["width"]
        assert img["y"] <= y <= img["y"] + img["height"]
        page.mouse.move(x, y)
        hit = page.evaluate(
            f"() => {{ const e = document.elementFromPoint({x}, {y});"
            " return [e.getAttribute('class'), e.querySelector('title')?.textContent]; }"
        )
        assert hit[0] == "school-site" and "pupils" in hit[1], hit
    page.locator(".school-finder .v-select__slot").click()
    school = "Scholengemeenschap Spieringshoek voor Gymnasium Atheneum en HAVO"
    page.get_by_role("option", name=school, exact=True).click()
    expect(page.locator(".school-details")).to_contain_text(f"{school} (Schiedam), board")
    assert page.problems == []


# ------------------------------------------------------------------- languages
def test_language_switch_turns_the_page_dutch(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="nl", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Jaar 2023"))).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    status = page.locator(".arm-status").inner_text()
    assert re.search(r"tekort \d+,\d% van de vraag", status), status
    expect(page.get_by_text("Instellingen", exact=True)).to_be_visible()
    expect(page.locator(".info-year")).to_have_text("Jaar 2023")
    # the run's buttons too (Mesa's own controller has English labels only)
    expect(page.get_by_role("button", name="Stap", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Herstart", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Step", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="▶")).to_have_attribute("title", "Afspelen")
    page.get_by_role("button", name="Stap", exact=True).click()
    expect(page.locator(".info-year")).to_have_text("Jaar 2024", timeout=STEP_TIMEOUT_MS)
    _screenshot(page, "browser-view-nl.png")
    page.get_by_role("button", name="en", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Year 2024"))).to_be_visible()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled()
    assert page.problems == []
