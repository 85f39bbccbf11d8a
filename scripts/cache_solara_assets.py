#!/usr/bin/env python3
"""Fill Solara's CDN proxy cache so a SolaraViz page works with no CDN access.

Solara's page loads its front end through ``/_solara/cdn/<pkg>@<version>/<file>``; the server
looks for ``<proxy_cache_dir>/<pkg>@<version>/<file>`` and otherwise fetches the file from a CDN
(unreachable here: the browser then gets a 404 and the page stays blank). This script fetches
each package with ``npm pack`` (the npm registry is reachable) and unpacks it into that layout.

Run it with the project's venv python (the cache lives inside the venv)::

    .venv/bin/python scripts/cache_solara_assets.py            # fill what is missing
    .venv/bin/python scripts/cache_solara_assets.py --check    # exit 1 if anything is missing
    .venv/bin/python scripts/cache_solara_assets.py --altair   # also vega/vega-lite/vega-embed

It is idempotent: a package whose files are already there is skipped without calling npm.
Exit codes: 0 done, 1 something missing (--check) or a fetch failed, 2 npm not found.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

# (directory name as it appears in the url, files the page requests from it).
# Found by loading a minimal SolaraViz page (mesa 3.5.1, solara 1.64, ipyvue/ipyvuetify < 3)
# in headless Chromium and reading the 404s. The versions are re-read from the installed solara
# below, so a solara upgrade that moves a pin is followed automatically.
BASE_PACKAGES: list[tuple[str, list[str]]] = [
    (
        "@widgetti/solara-vuetify-app@10.1.1",
        ["dist/main8.css", "dist/fonts.css", "dist/solara-vuetify-app8.min.js"],
    ),
    ("requirejs@2.3.6", ["require.js"]),
    ("font-awesome@4.5.0", ["css/font-awesome.min.css"]),
    ("@widgetti/vue-grid-layout@2.3.13-alpha.2", ["dist/vue-grid-layout.umd.js"]),
]
# Only pages with altair charts (mesa's make_plot_component(..., backend="altair") or
# make_space_component(..., backend="altair")) ask for these; the url names a major range.
ALTAIR_PACKAGES: list[tuple[str, list[str]]] = [
    ("vega@5", ["build/vega.min.js"]),
    ("vega-lite@5", ["build/vega-lite.min.js"]),
    ("vega-embed@6", ["build/vega-embed.min.js"]),
]


def log(msg: str) -> None:
    print(f"cache_solara_assets: {msg}", file=sys.stderr, flush=True)


def split_spec(spec: str) -> tuple[str, str]:
    """'@scope/name@1.2.3' -> ('@scope/name', '1.2.3')."""
    name, _, version = spec.rpartition("@")
    return name, version


def pins_from_installed_solara() -> dict[str, str]:
    """Package -> version as pinned in the installed solara's template and widgets."""
    import solara

    root = pathlib.Path(solara.__file__).parent
    texts = []
    for rel in ("server/templates/solara.html.j2", "widgets/vue/gridlayout.vue"):
        with contextlib.suppress(OSError):
            texts.append((root / rel).read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    pattern = re.compile(
        r"/(@widgetti/solara-vuetify-app|requirejs|@widgetti/vue-grid-layout)@([0-9][\w.\-]*)/"
    )
    for text in texts:
        for name, version in pattern.findall(text):
            pins.setdefault(name, version)
    try:
        import solara.server.settings as ss

        m = re.match(r"/?(font-awesome)@([0-9][\w.\-]*)/", ss.assets.fontawesome_path)
        if m:
            pins[m.group(1)] = m.group(2)
    except Exception:
        pass
    return pins


def package_list(altair: bool) -> list[tuple[str, list[str]]]:
    pins = pins_from_installed_solara()
    result = []
    for spec, files in BASE_PACKAGES:
        name, version = split_spec(spec)
        pinned = pins.get(name)
        if pinned and pinned != version:
            log(f"installed solara pins {name}@{pinned} (script default {version}); using {pinned}")
            spec = f"{name}@{pinned}"
        result.append((spec, files))
    if altair:
        result += ALTAIR_PACKAGES
    return result


def cache_dir_default() -> pathlib.Path:
    import solara.server.settings as ss

    return pathlib.Path(ss.assets.proxy_cache_dir)


def is_complete(dest: pathlib.Path, files: list[str]) -> bool:
    return all((dest / f).is_file() and (dest / f).stat().st_size > 0 for f in files)


def npm_fetch(npm: str, spec: str, files: list[str], dest: pathlib.Path) -> None:
    """npm pack SPEC and unpack it (tarball's top folder stripped) into DEST."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".npm-pack-", dir=dest.parent) as tmp:
        tmp_path = pathlib.Path(tmp)
        proc = subprocess.run(
            [npm, "pack", spec, "--pack-destination", str(tmp_path), "--silent"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        tarballs = list(tmp_path.glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            raise RuntimeError(
                f"npm pack {spec} failed (rc {proc.returncode}): {proc.stderr.strip()[-500:]}"
            )
        unpacked = tmp_path / "unpacked"
        unpacked.mkdir()
        with tarfile.open(tarballs[0]) as tar:
            for member in tar.getmembers():
                # npm tarballs hold everything under one top folder (usually "package/")
                parts = pathlib.PurePosixPath(member.name).parts[1:]
                if not parts or not (member.isfile() or member.isdir()) or ".." in parts:
                    continue
                member.name = "/".join(parts)
                tar.extract(member, unpacked, filter="data")
        missing = [f for f in files if not (unpacked / f).is_file()]
        if missing:
            raise RuntimeError(f"npm package {spec} lacks expected files {missing}")
        if not dest.exists():
            os.replace(unpacked, dest)  # atomic: the folder appears complete
            return
        # the folder exists partly (e.g. files Solara once fetched from a CDN): add what is missing
        for src in sorted(unpacked.rglob("*")):
            target = dest / src.relative_to(unpacked)
            if src.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif not target.exists() or target.stat().st_size == 0:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, target)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--cache-dir",
        type=pathlib.Path,
        help="default: solara.server.settings.assets.proxy_cache_dir",
    )
    ap.add_argument(
        "--altair",
        action="store_true",
        help="also cache vega, vega-lite, vega-embed (altair charts)",
    )
    ap.add_argument(
        "--check", action="store_true", help="only report; exit 1 if anything is missing"
    )
    ap.add_argument("--list", action="store_true", help="print the package list and exit")
    args = ap.parse_args(argv)

    packages = package_list(args.altair)
    if args.list:
        for spec, files in packages:
            print(spec, *files)
        return 0
    cache = (args.cache_dir or cache_dir_default()).resolve()
    log(f"cache dir {cache}")

    todo = []
    for spec, files in packages:
        if is_complete(cache / spec, files):
            log(f"present: {spec}")
        else:
            todo.append((spec, files))
    if not todo:
        log("nothing to do")
        return 0
    if args.check:
        for spec, _ in todo:
            log(f"MISSING: {spec}")
        return 1

    npm = shutil.which("npm")
    if npm is None:
        log("ERROR: npm not found on PATH; it is needed to fetch: " + ", ".join(s for s, _ in todo))
        log("install it (Debian: apt-get install -y npm) and run this script again")
        return 2

    failed = 0
    for spec, files in todo:
        log(f"fetching {spec} with npm pack ...")
        try:
            npm_fetch(npm, spec, files, cache / spec)
        except Exception as e:
            failed += 1
            log(f"ERROR: {e}")
            continue
        log(f"cached {spec} -> {cache / spec}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
