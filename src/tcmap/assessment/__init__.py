"""Capacity assessment of constituents: instruments as data, pure scoring rules, assessments
in the store, follow-up rounds and reports.

    instrument.py   load and check instrument files (UNDP 2008 cube, OCA variant, your own)
    scoring.py      question, cell, cross-section and level scores, gaps, priority bands
    assessments.py  create, list, start a follow-up round; stored instruments
    changes.py      ratings (typed or CSV), verification, desired levels, response actions
    summary.py      one assessment with its scores, response and rounds; round_changes
    report.py       the assessment report: HTML, PDF (WeasyPrint), JSON, with SVG charts

`round_changes(session, assessment_id)` is what the results layer turns into capacity
indicator values: one dict per cell scored in both a follow-up round and the round before.
"""

from tcmap.assessment.assessments import (
    DEFAULT_INSTRUMENT,
    list_assessments,
    list_instruments,
    new_assessment,
    start_round,
)
from tcmap.assessment.changes import (
    rate,
    rate_file,
    rate_many,
    read_ratings_csv,
    save_action,
    set_desired,
    verify,
)
from tcmap.assessment.instrument import (
    Instrument,
    available_instruments,
    check_instrument,
    load_instrument,
)
from tcmap.assessment.summary import round_changes, show_assessment

__all__ = [
    "DEFAULT_INSTRUMENT", "Instrument", "available_instruments", "check_instrument",
    "list_assessments", "list_instruments", "load_instrument", "new_assessment", "rate",
    "rate_file", "rate_many", "read_ratings_csv", "round_changes", "save_action",
    "set_desired", "show_assessment", "start_round", "verify",
]
