"""Calibration and validation against the public figures (fitted and held-out targets apart)."""
