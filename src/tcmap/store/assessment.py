"""Capacity assessments of constituents: rounds, ratings, desired levels, responses."""

from __future__ import annotations
