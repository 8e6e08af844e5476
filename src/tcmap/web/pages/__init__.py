"""The pages, one module per noun, each registering its HTML routes and their /api twins."""

from __future__ import annotations

from fastapi import FastAPI


def register_all(app: FastAPI) -> None:
    from tcmap.web.pages import (
        activities,
        auth,
        countries,
        imports,
        matrix,
        models,
        reports,
        review,
    )

    for module in (auth, review, activities, models, matrix, countries, reports, imports):
        module.register(app)
