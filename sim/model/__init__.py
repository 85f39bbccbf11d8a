"""The region model: parameters, scenarios, places, agents, levers, yearly stages and reporters.

This layer imports nothing from the batch runner, calibration, plotting or the view.
"""
