"""Sweeps: search-space sampling, early-termination policies and the trial scheduler."""
