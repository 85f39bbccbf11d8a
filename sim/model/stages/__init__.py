"""The yearly stages, one module per stage; the order is written once, in :mod:`sim.model.model`."""
