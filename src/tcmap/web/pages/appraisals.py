"""Quality appraisals: upload a document, the pre-screen, rating, clearance, the gate."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    pass
