"""Dutch and English: every label has a Dutch translation, numbers follow the language, and the
CLI summary, the study reports and the view speak the language asked for."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from sim.i18n import LanguageError, Translator
from sim.i18n_extract import dynamic_messages, extract, untranslated


def test_every_label_of_the_code_has_a_dutch_translation():
    problems = untranslated("nl")
    assert problems == [], "run scripts/update_catalogs.py and translate:\n" + "\n".join(problems)


def test_the_check_finds_a_label_without_translation():
    template = Catalog()
    template.add("Shortage by subject group in {year}")  # translated
    template.add("a label nobody translated")
    template.add("Year {year}")
    assert untranslated("nl", template) == ["no translation: 'a label nobody translated'"]


def test_extraction_finds_view_cli_report_and_parameter_labels():
    ids = {m.id for m in extract() if m.id}
    for expected in (
        "Run finished",  # the view
        "lever cost kEUR",  # the CLI summary (marked with N_)
        "What was run",  # sim/batch/report.py
        "Lever by lever",  # a study's title, Report("...")
        "Reading",  # a study's heading, rep.heading("...")
    ):
        assert expected in ids
    assert set(dynamic_messages()) <= ids


@pytest.mark.parametrize(
    ("lang", "fte", "pct", "num"),
    [("nl", "1.490 fte", "2,5%", "4.275,9"), ("en", "1,490 fte", "2.5%", "4,275.9")],
)
def test_numbers_follow_the_language(lang, fte, pct, num):
    t = Translator(lang)
    assert t.fte(1490.4) == fte
    assert t.pct(0.025) == pct
    assert t.num(4275.94, 1) == num


def test_dutch_texts_and_unknown_language():
    assert Translator("nl")._("shortage (open + hidden)") == "tekort (open + verborgen)"
    assert Translator("en")._("shortage (open + hidden)") == "shortage (open + hidden)"
    assert Translator("nl").n_("{n} lever", "{n} levers", 1) == "{n} maatregel"
    with pytest.raises(LanguageError, match=r"'de'.*allowed: en, nl"):
        Translator("de")


def test_cli_summary_in_dutch(capsys):
    from sim.cli import main

    assert main(["run", "--years", "1", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "Eindstand 2024: tekort " in out and "van de vraag" in out
    assert "Tekort per vakgroep" in out and "wiskunde" in out
    assert "End state" not in out
    # Dutch decimal comma in the table: demand like 4.275,9
    assert any("," in line and "." in line for line in out.splitlines()[3:5])


def test_cli_refuses_an_unknown_language(capsys):
    from sim.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--lang", "de"])
    assert "invalid choice: 'de'" in capsys.readouterr().err


def test_report_titles_and_headings_in_dutch(tmp_path):
    from sim.batch.report import Report

    rep = Report("Lever by lever", tmp_path, lang="nl")
    rep.heading("Reading")
    text = rep.write().read_text(encoding="utf-8")
    assert text.startswith("# Maatregel voor maatregel\n")
    assert "## Lezing" in text
