"""Results folders of batch experiments: one Parquet file per finished run, written atomically.

Layout of a results folder (``results/<experiment>/<name>/``)::

    manifest.json             design, seeds, versions, git commit, sessions, run counts
    runs/series/000012.parquet   yearly model series of run 12 (one row per census year)
    runs/schools/000012.parquet  per-school end state of run 12
    runs/failed/000013.json      spec and traceback of a run that raised
    runs/started/000014          run 14 is running in this process (in-process backend only)
    runs/corrupt/...             unreadable or damaged files found on resume, kept for inspection
    .lock                        held by the batch that uses the folder (one at a time)

A run counts as finished when both of its Parquet files exist, hold its spec and match the
SHA-256 checksums the manifest recorded before they were moved into place. (Files of a folder
written before checksums were kept are read in full, their Parquet page checksums verified, and
then listed; page checksums catch most but not every flipped bit.) Each file
is written to a temporary name and moved into place with :func:`os.replace`, so a batch killed at
any moment leaves either a whole file or a temporary one, which the next session removes. Readers
sort by ``run_id``, so results never depend on the order in which runs finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

SPEC_KEY = b"sim.run_spec"
"""Parquet metadata key holding the JSON spec of the run a file belongs to."""

KINDS = ("series", "schools")


class ResultsError(OSError):
    """A results folder that is missing, unwritable, or holds another design."""


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)  # mkstemp makes files private; results are to share
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    _atomic_write_bytes(path, (json.dumps(data, indent=2, default=str) + "\n").encode())


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (reports are rebuilt in place)."""
    _atomic_write_bytes(path, text.encode())


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and missing parents up to an existing one) and check it is writable.

    Raises:
        ResultsError: naming the folder and why it cannot be used.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ResultsError(f"results folder {folder} exists but is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(
            f"cannot create results folder {folder}: {exc.strerror or exc}"
        ) from None
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ResultsError(
            f"results folder {folder} is not writable ({exc.strerror or exc}); "
            "choose another folder with --results-dir"
        ) from None
    return folder


def encode_run(spec: dict, frames: dict[str, pd.DataFrame], seconds: float) -> dict[str, bytes]:
    """Parquet bytes of a run's frames, each carrying the run's spec and run time.

    Runs in the worker, so that the process writing the files only moves bytes.
    """
    meta = {
        SPEC_KEY: json.dumps(spec, sort_keys=True).encode(),
        b"sim.run_seconds": f"{seconds:.6f}".encode(),
    }
    out = {}
    for kind in KINDS:
        table = pa.Table.from_pandas(frames[kind], preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        sink = pa.BufferOutputStream()
        # page checksums let a reader notice a flipped bit inside a page, not only in the footer
        pq.write_table(table, sink, write_page_checksum=True)
        out[kind] = sink.getvalue().to_pybytes()
    return out


def checksum(data: bytes) -> str:
    """SHA-256 of a run file's bytes, as recorded in the manifest."""
    return hashlib.sha256(data).hexdigest()


def file_checksums(files: dict[str, bytes]) -> dict[str, str]:
    """SHA-256 of each of a run's files (from :func:`encode_run`), by kind."""
    return {kind: checksum(files[kind]) for kind in KINDS}


@contextlib.contextmanager
def folder_lock(folder: Path):
    """Hold the lock of a results folder while a batch uses it (:mod:`filelock`).

    Raises:
        ResultsError: another process holds the folder.
    """
    lock = FileLock(Path(folder) / ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ResultsError(
            f"results folder {folder} is in use by another batch; wait until it ends, or give "
            "this one its own folder (--name)"
        ) from None
    try:
        yield
    finally:
        lock.release()


class RunStore:
    """The per-run files of one results folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"

    def path(self, kind: str, run_id: int) -> Path:
        """Path of the ``kind`` ("series", "schools") file of run ``run_id``."""
        return self.runs / kind / f"{run_id:06d}.parquet"

    def failure_path(self, run_id: int) -> Path:
        return self.runs / "failed" / f"{run_id:06d}.json"

    def started_path(self, run_id: int) -> Path:
        return self.runs / "started" / f"{run_id:06d}"

    def prepare(self) -> None:
        """Create the run folders and remove temporary files a killed session left behind."""
        for sub in (*KINDS, "failed", "started"):
            ensure_folder(self.runs / sub)
        for tmp in self.runs.rglob(".*.tmp"):
            log.info("removing partial file %s left by an interrupted batch", tmp)
            tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ writing
    def write_run(self, run_id: int, files: dict[str, bytes]) -> dict[str, str]:
        """Store one finished run (from :func:`encode_run`); the series file is moved in last.

        Returns:
            The SHA-256 checksum of each file, for the manifest.
        """
        for kind in ("schools", "series"):
            _atomic_write_bytes(self.path(kind, run_id), files[kind])
        self.failure_path(run_id).unlink(missing_ok=True)
        return file_checksums(files)

    def mark_started(self, run_id: int) -> None:
        """Note that run ``run_id`` runs in this process (a death leaves the note behind)."""
        self.started_path(run_id).touch()

    def clear_started(self, run_id: int) -> None:
        self.started_path(run_id).unlink(missing_ok=True)

    def started(self) -> list[int]:
        """Runs a previous session noted as running and never finished: the process died."""
        folder = self.runs / "started"
        return sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit())

    def write_failure(self, run_id: int, spec: dict, error: str, traceback_text: str) -> None:
        """Record a run that raised: its spec, the error and the traceback."""
        write_json(
            self.failure_path(run_id),
            {"run_id": run_id, "spec": spec, "error": error, "traceback": traceback_text},
        )

    # ------------------------------------------------------------------ reading
    def finished(
        self, specs: dict[int, dict], checksums: dict[str, dict[str, str]] | None = None
    ) -> dict[int, float]:
        """Runs whose files are whole and belong to ``specs``, with their run seconds.

        Args:
            specs: The spec of each run id.
            checksums: The manifest's checksums by run id (as a string); a file whose bytes
                differ is damaged. Runs not listed are read in full (Parquet page checksums
                verified) and, when whole, added.

        Unreadable or damaged files are moved to ``runs/corrupt`` (the run is then done again).

        Raises:
            ResultsError: a file holds a run of a different spec (the folder was reused for
                another design).
        """
        done: dict[int, float] = {}
        for path in sorted((self.runs / "series").glob("*.parquet")):
            try:
                run_id = int(path.stem)
            except ValueError:
                continue
            seconds = self._check(run_id, specs.get(run_id), checksums)
            if seconds is not None:
                done[run_id] = seconds
        return done

    def _check(
        self, run_id: int, spec: dict | None, checksums: dict[str, dict[str, str]] | None
    ) -> float | None:
        seconds = None
        known = (checksums or {}).get(str(run_id))
        found = {}
        for kind in KINDS:
            path = self.path(kind, run_id)
            if not path.exists():
                return None
            try:
                data = path.read_bytes()
                found[kind] = checksum(data)
                if known is not None and known.get(kind) != found[kind]:
                    raise ValueError("its checksum differs from the one in manifest.json")
                if known is None:  # not listed yet (a kill between file and manifest): read all
                    pq.read_table(pa.BufferReader(data), page_checksum_verification=True)
                meta = pq.read_schema(pa.BufferReader(data)).metadata or {}
            except (OSError, ValueError, pa.ArrowException) as exc:
                self._quarantine(run_id, f"{path} is damaged ({exc})")
                return None
            stored = json.loads(meta.get(SPEC_KEY, b"null"))
            if spec is None or stored != spec:
                raise ResultsError(
                    f"{path} holds a run of another design (stored spec {stored}); "
                    "give this design its own folder (--name) or remove the old one"
                )
            if kind == "series":
                seconds = float(meta.get(b"sim.run_seconds", b"nan"))
        if checksums is not None and known is None:
            checksums[str(run_id)] = found
        return seconds

    def _quarantine(self, run_id: int, why: str) -> None:
        log.warning("%s; moving run %d's files to runs/corrupt and running it again", why, run_id)
        for kind in KINDS:
            self._move_aside(self.path(kind, run_id), f"{kind}-")

    def _move_aside(self, path: Path, prefix: str) -> None:
        corrupt = ensure_folder(self.runs / "corrupt")
        if path.exists():
            target = corrupt / f"{prefix}{path.name}"
            n = 1
            while target.exists():  # keep every damaged copy, e.g. of one run twice
                target = corrupt / f"{prefix}{path.stem}.{n}{path.suffix}"
                n += 1
            os.replace(path, target)

    def failures(self) -> list[dict]:
        """Failure records of runs that raised and have not finished since, by run id."""
        out = []
        for path in sorted((self.runs / "failed").glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                int(record["run_id"])
            except (OSError, ValueError, TypeError, KeyError) as exc:
                # a damaged record must not stop every rerun: keep it aside, the run is redone
                log.warning("%s is unreadable (%s); moving it to runs/corrupt", path, exc)
                self._move_aside(path, "failed-")
                continue
            out.append(record)
        return out

    def read(
        self, kind: str, columns: Iterable[str] | None = None, arms: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """All finished runs' frames of one kind, sorted by run id (and year).

        Args:
            kind: "series" or "schools".
            columns: Columns to read (the id columns are always read); None reads all.
            arms: Only these arms; None reads every arm.
        """
        files = sorted((self.runs / kind).glob("*.parquet"))
        if not files:
            raise ResultsError(f"no finished runs in {self.runs / kind}")
        cols = None
        if columns is not None:
            ids = ["run_id", "arm", "replication", "seed", "year"]
            cols = list(dict.fromkeys([*ids, *columns]))
        wanted = set(arms) if arms is not None else None
        parts = []
        for path in files:
            table = pq.read_table(path, columns=cols)
            if wanted is not None and table.column("arm")[0].as_py() not in wanted:
                continue
            parts.append(table)
        if not parts:
            raise ResultsError(f"no finished runs of arms {sorted(wanted or [])} in {self.runs}")
        # a count reporter is a whole number in a run where nothing happened and a float in
        # one where fte or euros were added (early recruitment, extra hours): the runs' files
        # then differ in type, which "permissive" promotes to the wider one (float)
        frame = pa.concat_tables(parts, promote_options="permissive").to_pandas()
        order = ["run_id", "year"] if kind == "series" else ["run_id"]
        return frame.sort_values(order, kind="stable").reset_index(drop=True)
