"""Country programmes, their results chains and capacity indicators."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    pass
