"""JSON as the store writes and reads it (tags' evidence, history's before and after...).

orjson, for speed: classifying a portfolio writes the evidence of every tag and of its
history event, and json.dumps was a tenth of fast mode's time per activity. Compact UTF-8
text; keys that are not strings are written as strings, as json.dumps does; what cannot be
written raises TypeError. Values read back are those json.loads gives.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
