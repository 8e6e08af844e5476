"""Exchange rates from a user's CSV file, and the conversion of budget amounts with them.

A rates file has a header and one line per currency and year:

    currency,year,rate
    EUR,2012,1.29
    CHF,2012,1.07

`rate` is the number of units of the reporting currency (named by the caller, USD by default)
worth one unit of `currency` in `year`. The reporting currency converts at 1 in every year
and needs no line. An amount converts at the rate of its own currency and year; when that year
is missing, at the rate of the nearest year listed for the currency (the earlier one on a tie;
the latest one when the amount has no year). An amount with no currency, or in a currency the
file does not list, does not convert: callers leave it out of totals and count it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tcmap.analysis.frame import Money
from tcmap.errors import InputError

COLUMNS = ("currency", "year", "rate")
YEARS = range(1900, 2101)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_HINT_FORMAT = ("Write the file as comma-separated text with the header currency,year,rate and "
                "one line per currency and year, e.g. EUR,2012,1.29.")


@dataclass(frozen=True, slots=True)
class Rate:
    """The rate used for an amount: its currency, the year asked, the year found, the rate."""

    currency: str
    year: int | None
    rate_year: int | None
    rate: float


@dataclass(frozen=True)
class Rates:
    """Rates per currency and year into one reporting currency."""

    reporting: str = "USD"
    table: dict[str, dict[int, float]] = field(default_factory=dict)
    source: str | None = None

    def lookup(self, currency: str | None, year: int | None) -> Rate | None:
        """The rate of a currency for a year (or the nearest year listed); None when missing."""
        if not currency:
            return None
        currency = currency.strip().upper()
        if currency == self.reporting:
            return Rate(currency, year, year, 1.0)
        years = self.table.get(currency)
        if not years:
            return None
        if year is None:
            found = max(years)
        elif year in years:
            found = year
        else:
            found = min(years, key=lambda y: (abs(y - year), y))
        return Rate(currency, year, found, years[found])

    def convert(self, money: Money) -> float | None:
        """The amount in the reporting currency, or None when no rate applies."""
        rate = self.lookup(money.currency, money.year)
        return None if rate is None else money.value * rate.rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "reporting": self.reporting,
            "source": self.source,
            "rates": [
                {"currency": c, "year": y, "rate": r}
                for c in sorted(self.table) for y, r in sorted(self.table[c].items())
            ],
        }


def _bad(path: Path, line: int, what: str, hint: str, **context: Any) -> InputError:
    return InputError("bad-rate-line", f"{path}, line {line}: {what}", hint,
                      file=str(path), line=line, **context)


def _header(path: Path, cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    for i, name in enumerate(names):
        if name not in COLUMNS:
            raise _bad(path, 1, f"the column {cells[i].strip()!r} is not one of "
                       f"{', '.join(COLUMNS)}.", _HINT_FORMAT, column=cells[i].strip(),
                       value=cells[i])
        if names.index(name) != i:
            raise _bad(path, 1, f"the column {name!r} appears twice.", _HINT_FORMAT,
                       column=name)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise _bad(path, 1, f"the header has no column {', '.join(missing)}.", _HINT_FORMAT,
                   column=missing[0])
    return {name: names.index(name) for name in COLUMNS}


def _parse_line(path: Path, line: int, cells: list[str], where: dict[str, int],
                reporting: str) -> tuple[str, int, float]:
    currency = cells[where["currency"]].strip().upper()
    if not _CURRENCY.match(currency):
        raise _bad(path, line, f"the currency {cells[where['currency']]!r} is not a "
                   "three-letter ISO 4217 code.", "Write currencies as ISO codes such as "
                   "EUR, CHF or GBP.", field="currency", value=cells[where["currency"]])
    raw_year = cells[where["year"]].strip()
    if not raw_year.isdigit() or int(raw_year) not in YEARS:
        raise _bad(path, line, f"the year {raw_year!r} is not a year between "
                   f"{YEARS.start} and {YEARS.stop - 1}.", "Write the calendar year as four "
                   "digits, e.g. 2012.", field="year", value=raw_year)
    raw_rate = cells[where["rate"]].strip()
    try:
        rate = float(raw_rate)
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or rate <= 0:
        raise _bad(path, line, f"the rate {raw_rate!r} is not a positive number.",
                   f"Write the rate as the number of {reporting} worth one {currency}, with a "
                   "dot for decimals and no thousands separators, e.g. 1.29.",
                   field="rate", value=raw_rate)
    if currency == reporting and rate != 1:
        raise _bad(path, line, f"{currency} is the reporting currency, so its rate is 1, "
                   f"not {raw_rate}.", "Remove the line, or name the file's own reporting "
                   "currency when loading the rates.", field="rate", value=raw_rate)
    return currency, int(raw_year), rate


def load_rates(path: str | Path, reporting: str = "USD") -> Rates:
    """The rates of a CSV file currency,year,rate; raises InputError naming the bad line."""
    path = Path(path)
    reporting = reporting.strip().upper()
    if not path.is_file():
        raise InputError("file-not-found", f"{path}: no such rates file.", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("unreadable-file", f"{path}: {exc}",
                         "A rates file is UTF-8 text: " + _HINT_FORMAT,
                         file=str(path)) from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(c.strip() for c in header):
        raise _bad(path, 1, "the file has no header.", _HINT_FORMAT)
    where = _header(path, header)
    table: dict[str, dict[int, float]] = {}
    first_line: dict[tuple[str, int], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise _bad(path, line, f"the line has {len(cells)} values, the header "
                       f"{len(header)}.", _HINT_FORMAT, value=",".join(cells))
        currency, year, rate = _parse_line(path, line, cells, where, reporting)
        if (currency, year) in first_line:
            raise _bad(path, line, f"{currency} {year} already has a rate on line "
                       f"{first_line[(currency, year)]}.", "Keep one rate per currency and "
                       "year: remove or merge the duplicate.", field="year", value=year)
        first_line[(currency, year)] = line
        if currency != reporting:
            table.setdefault(currency, {})[year] = rate
    return Rates(reporting, table, str(path))
