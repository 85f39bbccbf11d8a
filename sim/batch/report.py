"""``report.md`` of a study: what was run, the charts, the tables and a reading of the numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.batch.analysis import to_markdown
from sim.batch.runner import BatchResult
from sim.batch.storage import write_text


@dataclass
class Report:
    """A markdown report assembled section by section and written next to its charts."""

    title: str
    folder: Path
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"{'#' * level} {text}")

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
        self.heading("What was run")
        items = [
            f"Command: `{command}`",
            f"Scenario `{d.scenario}`, {d.horizon} years from the first census, "
            f"{d.replications} paired replication(s) per arm (the same seeds in every arm, "
            f"derived from base seed {d.base_seed}), {len(d.arms)} arm(s), {batch.total} runs.",
            f"Parameter overrides in every arm: {overrides}.",
            f"Finished runs: {batch.finished} of {batch.total}; failed: {len(batch.failed)}.",
            f"Runs made at model commit {commits}, "
            f"{manifest.get('seconds_per_run') or 0:.2f} s per run; raw runs and "
            "`manifest.json` are in this folder (Parquet, not in git).",
        ]
        self.bullets(items + (extra or []))

    def write(self) -> Path:
        """Write ``report.md`` into the folder and return its path."""
        path = self.folder / "report.md"
        write_text(path, f"# {self.title}\n\n" + "\n\n".join(self.parts) + "\n")
        return path
