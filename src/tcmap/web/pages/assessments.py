"""Capacity assessments: list, one assessment, rating forms."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    pass
