"""Analyses of the mapping: pure functions of the mapped activities (see frame.py)."""

from tcmap.analysis.frame import FrameFilters, MappedActivity, Money, load_frame

__all__ = ["FrameFilters", "MappedActivity", "Money", "load_frame"]
