"""Quality appraisals of country programmes and project documents, with rounds."""

from __future__ import annotations
