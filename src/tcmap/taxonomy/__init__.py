"""Frameworks of codes (outcomes, modalities, levels, target groups) loaded from data files.

A framework is a directory (or a single YAML file) of the shape of the packaged default
`data/ilo-spf-2010-15/framework.yaml`; approaches per outcome sit beside it in
`approaches.yaml`. An IATI codelist XML file (such as UNSDG-Goals.xml) loads as a framework
whose outcomes are the codelist's items. No framework needs code.
"""

from tcmap.taxonomy.loader import available_frameworks, load_framework
from tcmap.taxonomy.model import Approach, Code, Dimension, Example, Framework, Group

__all__ = [
    "Approach",
    "Code",
    "Dimension",
    "Example",
    "Framework",
    "Group",
    "available_frameworks",
    "load_framework",
]
