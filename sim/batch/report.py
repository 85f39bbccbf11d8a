"""``report.md`` of a study: what was run, the charts, the tables and a reading of the numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.batch.analysis import to_markdown
from sim.batch.runner import BatchResult
from sim.batch.storage import write_text
from sim.i18n import Translator


@dataclass
class Report:
    """A markdown report assembled section by section and written next to its charts."""

    title: str
    folder: Path
    parts: list[str] = field(default_factory=list)
    lang: str = "en"
    """Language of the report's own texts (``en`` or ``nl``); titles and headings are looked up
    in the catalog (``sim/locale``), numbers follow the language's format."""

    def __post_init__(self) -> None:
        self.t = Translator(self.lang)

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"{'#' * level} {self.t._(text)}")

    def paragraph(self, text: str) -> None:
        self.parts.append(text.strip())

    def bullets(self, items: list[str]) -> None:
        self.parts.append("\n".join(f"- {item}" for item in items))

    def image(self, path: Path, caption: str) -> None:
        """Embed a chart by its path relative to the report."""
        rel = Path(path).resolve().relative_to(self.folder.resolve())
        self.parts.append(f"![{caption}]({rel.as_posix()})\n\n*{caption}*")

    def table(self, frame: pd.DataFrame, note: str = "") -> None:
        self.parts.append(to_markdown(frame) + (f"\n\n{note.strip()}" if note else ""))

    def what_was_run(
        self, batch: BatchResult, command: str, extra: list[str] | None = None
    ) -> None:
        """The standard "What was run" section from the design and the manifest."""
        d = batch.design
        manifest = json.loads((batch.folder / "manifest.json").read_text(encoding="utf-8"))
        commits = ", ".join(
            f"`{c}`"
            for c in dict.fromkeys(
                x["git_commit"] for x in manifest.get("sessions", []) if x.get("runs_ran")
            )
        )
        overrides = ", ".join(f"`{k}={v}`" for k, v in sorted(d.overrides.items())) or "none"
        t = self.t
        self.heading("What was run")
        items = [
            t._("Command: `{command}`").format(command=command),
            t._(
                "Scenario `{scenario}`, {horizon} years from the first census, {reps} paired "
                "replication(s) per arm (the same seeds in every arm, derived from base seed "
                "{seed}), {arms} arm(s), {runs} runs."
            ).format(
                scenario=d.scenario,
                horizon=d.horizon,
                reps=d.replications,
                seed=d.base_seed,
                arms=len(d.arms),
                runs=t.num(batch.total),
            ),
            t._("Parameter overrides in every arm: {overrides}.").format(
                overrides=overrides if d.overrides else t._("none")
            ),
            t._("Finished runs: {finished} of {total}; failed: {failed}.").format(
                finished=t.num(batch.finished), total=t.num(batch.total), failed=len(batch.failed)
            ),
            t._(
                "Runs made at model commit {commits}, {seconds} s per run; raw runs and "
                "`manifest.json` are in this folder (Parquet, not in git)."
            ).format(commits=commits, seconds=t.num(manifest.get("seconds_per_run") or 0, 2)),
        ]
        self.bullets(items + (extra or []))

    def write(self) -> Path:
        """Write ``report.md`` into the folder and return its path."""
        path = self.folder / "report.md"
        write_text(path, f"# {self.t._(self.title)}\n\n" + "\n\n".join(self.parts) + "\n")
        return path
