"""Quality appraisal of country programmes (DWCPs) and project documents.

A checklist template (data/checklists/) is applied to a document: the machine pre-screens the
text and proposes a score for every criterion with its evidence (prescreen), a person rates
each criterion, and the clearance rule (scoring) lets a document clear only when every
mandatory criterion scores at least 2, whatever the weighted average. The country-programme
gate (gate) checks that a DWCP has a capacity output for each constituent group.
"""

from tcmap.appraisal.checklist import Checklist, load_checklist
from tcmap.appraisal.extract import extract
from tcmap.appraisal.gate import gate_documents, gate_programme
from tcmap.appraisal.prescreen import prescreen

__all__ = ["Checklist", "extract", "gate_documents", "gate_programme", "load_checklist",
           "prescreen"]
