"""Charts: one fixed colour per policy, PNGs that are written and not empty, and texts and tick
numbers in the report's language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from PIL import Image

from sim.i18n import Translator
from sim.model.policies import LEVERS
from sim.plots import plotting
from sim.plots.flows import flows_figure
from sim.plots.language import EN, localise_ticks


def test_each_policy_keeps_one_colour():
    iso, col = plotting.policy_colour("isolated"), plotting.policy_colour("collaborative")
    assert iso != col
    assert plotting.policy_colour(" isolated ") == iso
    # single-lever arms take their lever's colour, and every lever has its own
    assert plotting.policy_colour("isolated+outreach") == plotting.LEVER_COLOURS["outreach"]
    assert plotting.policy_colour("collaborative-outreach") == plotting.LEVER_COLOURS["outreach"]
    assert len(set(plotting.LEVER_COLOURS.values())) == len(LEVERS)
    assert {iso, col}.isdisjoint(plotting.LEVER_COLOURS.values())


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for arm, level in (("isolated", 0.08), ("collaborative", 0.04)):
        for rep in range(5):
            for year in range(2023, 2031):
                rows.append(
                    {
                        "arm": arm,
                        "replication": rep,
                        "seed": rep,
                        "year": year,
                        "shortage_rate": level + rng.normal(0, 0.01),
                    }
                )
    return pd.DataFrame(rows)


def _colours_in(path) -> set[tuple[int, int, int]]:
    img = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
    return {tuple(int(v) for v in c) for c in np.unique(img, axis=0)}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_time_bands_chart_draws_each_policy_in_its_colour(tmp_path):
    path = plotting.time_bands(
        _series(),
        "shortage_rate",
        ["isolated", "collaborative"],
        tmp_path / "c.png",
        title="t",
        ylabel="shortage (%)",
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
    colours = _colours_in(path)
    for policy in ("isolated", "collaborative"):
        assert _rgb(plotting.POLICY_COLOURS[policy]) in colours


def test_paired_difference_chart(tmp_path):
    s = _series()
    diff = s[s["arm"] == "collaborative"].reset_index(drop=True)
    diff["difference"] = (
        diff["shortage_rate"] - s[s["arm"] == "isolated"]["shortage_rate"].to_numpy()
    )
    path = plotting.paired_difference(diff, tmp_path / "d.png", title="t", ylabel="pp")
    assert path.stat().st_size > 10_000
    assert _rgb(plotting.DIFFERENCE_COLOUR) in _colours_in(path)


# ------------------------------------------------------------------- languages
@pytest.fixture
def drawn(monkeypatch) -> list[Figure]:
    """The figures the chart functions save, kept for reading their texts back."""
    figures: list[Figure] = []
    save = plotting.save

    def keep(fig: Figure, path, t=EN):
        figures.append(fig)
        return save(fig, path, t)

    monkeypatch.setattr(plotting, "save", keep)
    return figures


def _open_hidden_series() -> pd.DataFrame:
    s = _series()
    return s.assign(
        open_shortage_rate=s["shortage_rate"] / 3, hidden_shortage_rate=s["shortage_rate"]
    )


def _texts(fig: Figure) -> dict[str, object]:
    left, right = fig.axes
    legend = left.get_legend()
    return {
        "suptitle": fig.get_suptitle(),
        "titles": [left.get_title(), right.get_title()],
        "xlabel": left.get_xlabel(),
        "ylabel": left.get_ylabel(),
        "legend title": legend.get_title().get_text(),
        "legend": [text.get_text() for text in legend.get_texts()],
    }


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nl",
            {
                "suptitle": "Open tegenover verborgen tekort",
                "titles": [
                    "Open tekort (onvervulde vacatures)",
                    "Verborgen tekort (onbevoegd gegeven)",
                ],
                "xlabel": "jaar (teldatum 1 oktober)",
                "ylabel": "deel van de lesvraag (%)",
                "legend title": "mediaan, 10-90 band",
                "legend": ["ieder voor zich", "samenwerking"],
            },
        ),
        (
            "en",
            {
                "suptitle": "Open versus hidden shortage",
                "titles": [
                    "Open shortage (unfilled vacancies)",
                    "Hidden shortage (taught without the qualification)",
                ],
                "xlabel": "year (census of 1 October)",
                "ylabel": "share of lesson demand (%)",
                "legend title": "median, 10-90 band",
                "legend": ["isolated", "collaborative"],
            },
        ),
    ],
)
def test_chart_texts_follow_the_language(tmp_path, drawn, lang, expected):
    plotting.open_hidden(
        _open_hidden_series(), ["isolated", "collaborative"], tmp_path / "c.png", t=Translator(lang)
    )
    (fig,) = drawn
    assert _texts(fig) == expected


def test_chart_texts_default_to_english(tmp_path, drawn):
    plotting.open_hidden(_open_hidden_series(), ["isolated", "collaborative"], tmp_path / "c.png")
    (fig,) = drawn
    assert _texts(fig)["suptitle"] == "Open versus hidden shortage"


@pytest.mark.parametrize(("lang", "sign", "other"), [("nl", ",", "."), ("en", ".", ",")])
def test_chart_tick_numbers_take_the_languages_decimal_sign(tmp_path, drawn, lang, sign, other):
    s = _series()
    diff = s[s["arm"] == "collaborative"].reset_index(drop=True)
    diff["difference"] = (
        diff["shortage_rate"] - s[s["arm"] == "isolated"]["shortage_rate"].to_numpy()
    )
    t = Translator(lang)
    plotting.paired_difference(
        diff, tmp_path / "d.png", title="t", ylabel="pp", scale=1.0, t=t
    )  # differences of about -0.04: ticks with decimals
    (fig,) = drawn
    (ax,) = fig.axes
    y = [label.get_text() for label in ax.get_yticklabels()]
    assert len(y) >= 3 and all(sign in v and other not in v for v in y), y
    # years stay years: no decimal sign and no grouping
    x = [label.get_text() for label in ax.get_xticklabels()]
    assert "2024" in x and all(v.isdigit() for v in x), x
    assert ax.get_legend().get_texts()[0].get_text() == t._("paired difference")


@pytest.mark.parametrize(
    ("lang", "x", "y", "colour"),
    [
        (
            "nl",
            ["0,0", "0,1", "0,2", "0,3", "0,4", "0,5"],
            ["0,0%", "0,5%", "1,0%", "1,5%", "2,0%", "2,5%", "3,0%"],
            ["0,00", "0,05", "0,10", "0,15", "0,20", "0,25"],
        ),
        (
            "en",
            ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"],
            ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%", "2.5%", "3.0%"],
            ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25"],
        ),
    ],
)
def test_localised_ticks_cover_percent_axes_and_colour_bars_not_text(lang, x, y, colour):
    fig = Figure()
    ax = fig.subplots()
    sc = ax.scatter([0, 0.5], [0, 0.03], c=[0.0, 0.25])
    ax.set_xlim(0, 0.5)
    ax.set_ylim(0, 0.03)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=1))
    bar = fig.colorbar(sc, ax=ax)
    names = fig.add_axes((0.1, 0.1, 0.1, 0.1))
    names.set_xticks([0, 1], ["v1.2", "lever.name"])
    localise_ticks(fig, Translator(lang))
    FigureCanvasAgg(fig).draw()
    assert [label.get_text() for label in ax.get_xticklabels()] == x
    assert [label.get_text() for label in ax.get_yticklabels()] == y
    assert [label.get_text() for label in bar.ax.get_yticklabels()] == colour
    assert [label.get_text() for label in names.get_xticklabels()] == ["v1.2", "lever.name"]


def test_dutch_map_and_flows_label_their_axes_in_dutch(tmp_path, drawn):
    rng = np.random.default_rng(3)
    schools = pd.DataFrame(
        {
            "x_km": rng.uniform(0, 40, 20),
            "y_km": rng.uniform(0, 30, 20),
            "pupils": rng.integers(100, 2000, 20),
            "shortage_rate": rng.uniform(0, 0.2, 20),
            "training_school": rng.random(20) < 0.3,
        }
    )
    institutes = pd.DataFrame({"institute": ["A"], "x_km": [5.0], "y_km": [5.0]})
    nl = Translator("nl")
    plotting.region_maps({"isolated": schools}, institutes, tmp_path / "m.png", year=2030, t=nl)
    (fig,) = drawn
    ax, bar = fig.axes
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "ieder voor zich",
        "oost (km)",
        "noord (km)",
    )
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["lerarenopleiding"]
    assert bar.get_ylabel() == "mediane tekort van de school (deel van de vraag)"
    assert any("," in x.get_text() for x in bar.get_yticklabels())
    assert fig.get_suptitle().endswith("kleuren begrensd op 20%)")

    commutes = pd.DataFrame(
        {
            "home_x_km": [1.0, 2.0],
            "home_y_km": [1.0, 2.0],
            "school": [0, 1],
            "commute_km": [3.0, 30.0],
            "max_commute_km": [10.0, 10.0],
        }
    )
    matrix = pd.DataFrame(
        [[1, 2], [0, 3]],
        index=pd.Index(range(2), name="from_board"),
        columns=pd.Index(range(2), name="to_board"),
    )
    flows = flows_figure(commutes, schools, matrix, year=2030, t=nl)
    home, moves = flows.axes[:2]
    assert home.get_title() == (
        "Woning en school: mediane reisafstand 16,5 km; 50% reist verder dan ze accepteren (rood)"
    )
    assert (home.get_xlabel(), moves.get_xlabel(), moves.get_ylabel()) == (
        "km oost",
        "naar bestuur",
        "van bestuur",
    )
    assert moves.get_title() == (
        "Overstappen in 2030: 6 leraren, 4 binnen hun bestuur, 2 naar een ander bestuur"
    )
