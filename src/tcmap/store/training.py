"""Training events, their participants and follow-up surveys."""

from __future__ import annotations
