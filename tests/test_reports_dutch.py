"""Every study's report in Dutch (issue 14): a ``--lang nl`` report holds none of the English
phrases its sections are written in, holds their Dutch words, and writes numbers with the
Dutch decimal comma. Tiny designs, so that each study takes seconds."""

from __future__ import annotations

import re

import pytest
from test_experiments import TINY, load, only_folder

DECIMAL_COMMA = re.compile(r"\d,\d")


def dutch_report(text: str, english: list[str], dutch: list[str]) -> None:
    """Fail on any English marker, any missing Dutch phrase or a missing decimal comma."""
    for phrase in english:
        assert phrase not in text, f"English left in the Dutch report: {phrase!r}"
    for phrase in dutch:
        assert phrase in text, f"Dutch phrase missing: {phrase!r}"
    assert DECIMAL_COMMA.search(text), "no number with a decimal comma"


def test_compare_policies_with_draws_in_dutch(tmp_path):
    module = load("compare_policies")
    args = ["--draws", "6", "--seeds-per-draw", "2", "--results-dir", str(tmp_path), *TINY]
    assert module.main([*args, "--lang", "nl"]) == 0
    text = (only_folder(tmp_path / "compare_policies") / "report.md").read_text()
    dutch_report(
        text,
        english=[
            "With every uncertain assumption",
            "percentage points",
            "parameter draws",
            "uncertainty interval",
            "confidence interval of the mean",
            "lowers the shortage",
            "seed noise",
            "First-order sensitivity",
            "noise floor",
            "cases of interest",
            "draws in which",
            "quantity",
            "EUR per fte-year",
            " to ",
        ],
        dutch=["## Hoe zeker is het antwoord", "onzekerheidsinterval", "| grootheid | waarde |"],
    )
    # the mean effect in the table is written with a decimal comma: +0,12 or -0,12
    assert re.search(r"\| [+-]\d+,\d\d \|", text)
    # and so are the outcome tables' intervals, their bounds split by a semicolon
    assert re.search(r"\| \d+,\d\d \[\d+,\d\d; \d+,\d\d\] \|", text)


def test_levers_with_draws_in_dutch(tmp_path):
    module = load("levers")
    args = ["--draws", "3", "--results-dir", str(tmp_path), *TINY, "--lang", "nl"]
    assert module.main(args) == 0
    text = (only_folder(tmp_path / "levers") / "report.md").read_text()
    dutch_report(
        text,
        english=[
            "The collaborative package avoids",
            "Added alone",
            "avoided per MEUR",
            "fte-years",
            "no net cost",
            "ranks first in",
            "parameter draws",
            "added alone to isolated",
            "Shortage avoided by each lever",
            " to ",
        ],
        dutch=["vermijdt over", "fte-jaren", "| maatregel | hoe |", "alleen toegevoegd aan"],
    )
    # the intervals of the lever table in Dutch: 0,12 [0,05; 0,19]
    assert re.search(r"\d,\d\d \[-?\d+,\d\d; -?\d+,\d\d\]", text)


def test_futures_with_draws_in_dutch(tmp_path):
    module = load("futures")
    args = ["--draws", "2", "--results-dir", str(tmp_path), *TINY, "--lang", "nl"]
    assert module.main(args) == 0
    text = (only_folder(tmp_path / "futures") / "report.md").read_text()
    dutch_report(
        text,
        english=[
            "Collaboration pays most",
            "percentage points",
            "pupil decline",
            "tight labour market",
            "retirement wave",
            "End state",
            "parameter draws",
            "first at the means",
            "Shortage avoided by collaboration",
            " to ",
        ],
        dutch=["Samenwerking loont het meest bij", "krimp van het aantal leerlingen", "toekomst"],
    )
    assert re.search(r"\d,\d\d \[-?\d+,\d\d; -?\d+,\d\d\]", text)


@pytest.mark.slow  # the Morris screening of every uncertain parameter: minutes on 2 cores
def test_sensitivity_screening_in_dutch(tmp_path):
    module = load("sensitivity")
    assert module.main(["--quick", "--results-dir", str(tmp_path), *TINY, "--lang", "nl"]) == 0
    text = (only_folder(tmp_path / "sensitivity") / "report.md").read_text()
    dutch_report(
        text,
        english=[
            "The benefit of collaboration",
            "percentage points",
            "depends most on",
            "Morris elementary effects",
            "mean absolute elementary effect",
            "| rank |",
            "survives",
            "| yes |",
        ],
        dutch=["De winst van samenwerking in", "| plaats | parameter |", "blijft over"],
    )
    assert re.search(r"\(mu\* \d+,\d\d, ", text)  # the reading's mu* with a decimal comma


def test_hindcast_quick_in_dutch(tmp_path):
    """The hindcast's texts, its hand-written reading of the committed run included, are Dutch
    (the sources' citations and the drawn inputs' reasons stay as written), and its figures
    use Dutch number formats."""
    module = load("hindcast")
    out = tmp_path / "out"
    args = ["--quick", "--backend", "inprocess", "--results-dir", str(tmp_path), "--out", str(out)]
    assert module.main([*args, "--lang", "nl"]) == 0
    text = (out / "report.md").read_text()
    dutch_report(
        text,
        english=[
            "measurements hit",
            "simulated median",
            "| quantity | year |",
            "median within tolerance",
            "**miss**",
            "The 2023 shortage over the 2016 shortage",
            "Assumed 2015 inputs drawn",
            "Simulated median (line)",
            "a check of the inputs, not a test",
            "What was not used",
            "The direction holds",
            "the clearest structural miss",
            "No parameter prior drawn",
        ],
        dutch=[
            "| grootheid | jaar | gemeten |",
            "metingen raak",
            "gedeeld door het tekort van",
            "**De richting klopt.**",
            "mediaan binnen de tolerantie",
            "Geen prior van parameters getrokken",
        ],
    )
    assert re.search(r"\| \d+,\d% \| \d+,\d% \(", text)  # shares with a decimal comma
    assert re.search(r"\| \d{1,3}\.\d{3} \|", text)  # thousands grouped with a full stop


def test_interval_in_dutch_uses_the_decimal_comma_and_a_semicolon():
    from sim.batch.analysis import Interval
    from sim.i18n import Translator

    iv = Interval(0.1234, 0.0456, -0.00001, 3)  # -0.001%: prints as 0.00
    assert iv.format(100, 2, t=Translator("nl")) == "12,34 [4,56; 0,00]"
    assert iv.format(100, 2, t=Translator("en")) == "12.34 [4.56, 0.00]"
    assert iv.format(100, 2) == "12.34 [4.56, 0.00]"  # without a language: English, as before
    assert Interval(float("nan"), 0, 0, 0).format(t=Translator("nl")) == "n.v.t."
