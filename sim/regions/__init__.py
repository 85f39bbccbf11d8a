"""Regions built from open data: DUO's school files (duo.py) into scenario files (build.py).

The core model (sim.model) never imports this package: it reads only the scenario TOML and the
schools table the builder writes.
"""
