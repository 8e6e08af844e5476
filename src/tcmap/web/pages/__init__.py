"""The pages, one module per noun, each registering its HTML routes and their /api twins."""

from __future__ import annotations

from fastapi import FastAPI


def register_all(app: FastAPI) -> None:
    from tcmap.web.pages import (
        activities,
        appraisals,
        assessments,
        auth,
        countries,
        imports,
        matrix,
        models,
        programmes,
        reports,
        review,
        training,
        users,
    )

    for module in (auth, review, activities, models, matrix, countries, programmes,
                   assessments, appraisals, training, reports, imports, users):
        module.register(app)
