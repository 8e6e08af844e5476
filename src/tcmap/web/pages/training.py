"""Training events and their follow-up figures."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    pass
