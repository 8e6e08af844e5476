"""Country programmes, the results chain from capacity development to decent-work results,
and capacity indicators with declared aggregation.

Modules, one per noun: `programmes` (DWCPs, activity links, the gate's input), `sheets` and
`importing` (the spreadsheet template and its all-or-nothing import), `recognition`
(outcome codes in IATI identifiers and tags), `chain` and `checks` (the typed results
graph and its warnings), `indicators` and `values` (definitions, values, approval),
`aggregate` (pure aggregation with the values behind each figure), `iati` (IATI results as
indicators), `summary` (the governing-body report's section). Reference data is in `data/`.
"""
