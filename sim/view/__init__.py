"""The Solara browser view: controls from the parameter object, no model logic."""
