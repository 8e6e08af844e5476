"""Country programmes (DWCPs), the results chain and capacity indicators."""

from __future__ import annotations
