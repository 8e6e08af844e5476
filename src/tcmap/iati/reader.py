"""Stream IATI activity XML (1.01-1.05, 2.01-2.03), plain or gzipped, safely and in flat memory.

Safety: a file whose prolog declares a DTD or entities is refused before parsing; the parser
itself resolves no entities, loads no DTD, touches no network and keeps libxml2's size limits;
files past `max_file_mb` after decompression and activities past `max_activity_mb` are refused.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tcmap.errors import InputError, Problem
from tcmap.iati.elements import HANDLERS
from tcmap.iati.record import XML_LANG, ActivityRecord, Context, first_text, parse_flag

# Bump when the reader extracts something new, so that re-import refreshes stored activities.
READER_VERSION = b"tcmap-iati-reader/2"
SUPPORTED = {"1.0": 1, "1.00": 1, "1.01": 1, "1.02": 1, "1.03": 1, "1.04": 1, "1.05": 1,
             "2.01": 2, "2.02": 2, "2.03": 2}
_PROLOG_BYTES = 65536
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_ROOT_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
_PERCENT_PARTS = (("recipient_countries", "recipient_regions"),)


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its magic number, not its name)."""
    fh = path.open("rb")
    if fh.read(2) == b"\x1f\x8b":
        fh.close()
        return gzip.open(path, "rb")
    fh.seek(0)
    return fh


class _Limited:
    """A byte stream that stops the parser when the file, or the activity being read, is too big,
    and fingerprints each activity's bytes as the parser reads them.

    The parser reads ahead in chunks, so the activity's size is known to within one chunk;
    that is enough to keep memory bounded without looking at every element.

    Fingerprints: the bytes from each `<iati-activity` to its `</iati-activity>` are hashed as
    they pass, and queued in document order; the parser reports the end of an activity only
    after it has read it, so the reader's k-th activity takes the k-th fingerprint. Comments and
    CDATA sections are skipped (tag-like text in them is text). Anything the scan cannot follow
    (an empty or nested activity element) stops the queue, and the reader hashes the parsed
    element instead (slower, same guarantee).
    """

    _TOKENS = re.compile(rb"<iati-activity[\s>/]|</iati-activity\s*>|<!--|<!\[CDATA\[")
    _TAIL = 24  # longer than any token, so that one split between two chunks is still found

    def __init__(self, raw: IO[bytes], limit: int, activity_limit: int, name: str) -> None:
        self.raw, self.limit, self.activity_limit, self.name = raw, limit, activity_limit, name
        self.seen = 0
        self.mark: int | None = None  # bytes seen when the current activity started
        self.fingerprints: collections.deque[bytes] = collections.deque()
        self.exact = True  # False once the byte scan cannot follow the document
        self._hash: Any = None  # the activity being hashed, if inside one
        self._closer: bytes | None = None  # the end of the comment or CDATA being skipped
        self._tail = b""
        self._resume = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise InputError(
                "oversized-input", file=self.name,
                message=f"The file is larger than {self.limit // 2**20} MB after decompression.",
                hint="Split the file, or raise the max_file_mb setting (TCMAP_MAX_FILE_MB).",
            )
        if self.mark is not None and self.seen - self.mark > self.activity_limit:
            raise InputError(
                "oversized-activity", file=self.name,
                message=f"An activity is larger than {self.activity_limit // 2**20} MB; "
                "reading stopped there (activities before it were kept).",
            )
        if self.exact and chunk:
            self._scan(chunk)
        return chunk

    def _scan(self, chunk: bytes) -> None:
        buf, old = self._tail + chunk, len(self._tail)
        fed = old  # bytes of buf already in the running hash (the tail was fed before)
        pos = self._resume
        while True:
            if self._closer is not None:  # inside a comment or CDATA: tags there are text
                end = buf.find(self._closer, pos)
                if end < 0:
                    pos = max(pos, len(buf) - len(self._closer) + 1)
                    break
                pos, self._closer = end + len(self._closer), None
                continue
            m = self._TOKENS.search(buf, pos)
            if m is None:
                pos = max(pos, len(buf) - self._TAIL + 1)
                break
            pos, token = m.end(), m.group()
            if token == b"<!--" or token == b"<![CDATA[":
                self._closer = b"-->" if token == b"<!--" else b"]]>"
            elif token.startswith(b"<iati-activity"):
                if self._hash is not None or token.endswith(b"/"):
                    self.exact = False  # nested or empty: leave it to the parser
                    return
                self._hash = hashlib.sha256()
                fed = m.start()
            else:
                if self._hash is None:
                    self.exact = False
                    return
                self._hash.update(buf[fed:m.end()])
                self.fingerprints.append(self._hash.digest())
                self._hash, fed = None, m.end()
        if self._hash is not None:
            self._hash.update(buf[fed:])
        keep = min(len(buf), self._TAIL)
        self._tail = buf[len(buf) - keep:]
        # Where the next scan starts, in the next buffer (tail + chunk): nothing before it is
        # looked at again, so no token is counted twice.
        self._resume = max(0, pos - (len(buf) - keep))

    def fingerprint(self) -> bytes | None:
        """The fingerprint of the activity the parser has just finished, if the scan knows it."""
        if self.exact and self.fingerprints:
            return self.fingerprints.popleft()
        return None


def _check_prolog(path: Path, name: str) -> None:
    """Refuse a DTD or entity declarations, and a root that is not an IATI activity file."""
    try:
        with open_binary(path) as fh:
            head = fh.read(_PROLOG_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            "unreadable-file", file=name, message=f"Cannot read the file: {exc}"
        ) from None
    m = _ROOT_START.search(head)
    prolog = head[: m.start()] if m else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise InputError("refused-dtd", file=name, line=prolog.count(b"\n") + 1)
    if m:
        root = _ROOT_NAME.match(head, m.start() + 1).group(0).decode("ascii", "replace")
        if root not in ("iati-activities", "iati-activity"):
            raise InputError(
                "not-iati-activities", file=name, line=prolog.count(b"\n") + 1, value=root,
                message=f"The root element is <{root}>, not <iati-activities>.")


@dataclass
class IatiFile:
    """An IATI activity file being read; iterate over it for ActivityRecords."""

    path: Path
    name: str
    max_file_mb: int = 4096
    max_activity_mb: int = 16
    version: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[ActivityRecord]:
        try:
            yield from self._records()
        except InputError as exc:
            self.problems.append(exc.to_problem())

    def _records(self) -> Iterator[ActivityRecord]:
        _check_prolog(self.path, self.name)
        raw = open_binary(self.path)
        stream = _Limited(raw, self.max_file_mb * 2**20, self.max_activity_mb * 2**20,
                          self.name)
        context = etree.iterparse(
            stream, events=("start", "end"), tag=("iati-activities", "iati-activity"),
            resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
            huge_tree=False, remove_comments=True, remove_pis=True,
        )
        ctx = Context(file=self.name, major=None)
        seen: set[int] = set()
        root_seen = False
        try:
            for event, el in context:
                if not root_seen:
                    root_seen = True
                    self._root(el, ctx)
                    if el.tag == "iati-activities":
                        continue
                if event == "start":
                    stream.mark = stream.seen
                    continue
                if el.tag == "iati-activities":
                    break
                rec = self._activity(el, ctx, seen, stream.fingerprint())
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
                yield rec
            if not root_seen:
                self._no_root()
        except etree.XMLSyntaxError as exc:
            self._syntax_error(exc, root_seen)
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz
            self.problems.append(Problem.make("unreadable-file", file=self.name,
                                              message=f"Cannot read the file: {exc}"))
        finally:
            raw.close()

    def _no_root(self) -> None:
        self.problems.append(Problem.make(
            "not-iati-activities", file=self.name,
            message="The file holds no <iati-activities> element."))

    def _root(self, el: Any, ctx: Context) -> None:
        if el.getroottree().docinfo.doctype:  # defence in depth: the prolog check missed it
            raise InputError("refused-dtd", file=self.name, line=1)
        if el.getparent() is not None:  # the tag filter skipped a root of another name
            raise InputError(
                "not-iati-activities", file=self.name, line=el.sourceline,
                message=f"The root element is <{el.getparent().tag}>, not <iati-activities>.")
        if el.tag == "iati-activity":
            self.problems.append(Problem.make("single-activity-file", file=self.name,
                                              line=el.sourceline))
        self.version = (el.get("version") or "").strip() or None
        if self.version is None:
            self.problems.append(Problem.make("missing-version", file=self.name,
                                              line=el.sourceline))
        elif self.version not in SUPPORTED:
            raise InputError(
                "unsupported-version", file=self.name, line=el.sourceline, value=self.version,
                message=f"IATI version {self.version} is not one tcmap reads.")
        else:
            ctx.major = SUPPORTED[self.version]
        ctx.lang = el.get(XML_LANG)

    def _syntax_error(self, exc: etree.XMLSyntaxError, root_seen: bool) -> None:
        message = str(exc)
        line = exc.lineno if exc.lineno else None
        if "huge" in message.lower() or "excessive depth" in message.lower():
            self.problems.append(Problem.make(
                "oversized-input", file=self.name, line=line,
                message=f"The XML exceeds the parser's safety limits: {message}",
                hint="Such inputs are refused; check the file was produced correctly."))
        elif "entity" in message.lower() and "not defined" in message.lower():
            self.problems.append(Problem.make("refused-dtd", file=self.name, line=line))
        else:
            self.problems.append(Problem.make(
                "malformed-xml", file=self.name, line=line, message=f"Not well-formed: {message}",
                hint="Fix the XML at this line; activities read before it were kept."
                if root_seen else "Check that the file is XML (not JSON or HTML)."))

    def _activity(self, el: Any, ctx: Context, seen: set[int],
                  fingerprint: bytes | None = None) -> ActivityRecord:
        ident = el.findtext("iati-identifier")
        ident = ident.strip() if ident else None
        rec = ActivityRecord(identifier=ident or None, line=el.sourceline, ctx=ctx)
        if fingerprint is None:  # the byte scan could not follow: serialise the element
            fingerprint = hashlib.sha256(etree.tostring(el, with_tail=False)).digest()
        # With what the file's root tells the reader about every activity (version, language).
        root = el.getparent() if el.getparent() is not None else el
        rec.content_hash = hashlib.sha256(b"\0".join((
            READER_VERSION, fingerprint, (root.get("version") or "").encode(),
            (root.get(XML_LANG) or "").encode()))).hexdigest()
        if rec.identifier is None:
            rec.problem("missing-identifier", field="iati-identifier")
            return rec
        # A hash, not the string: the set stays small however large the file.
        key = hash(rec.identifier)
        if key in seen:
            rec.problem("duplicate-activity-identifier", field="iati-identifier",
                        value=rec.identifier)
            return rec
        seen.add(key)
        root = el.getparent() if el.getparent() is not None else el
        lang = el.get(XML_LANG) or root.get(XML_LANG) or "en"
        ctx.lang = lang.strip().lower() or "en"
        ctx.currency = (el.get("default-currency") or "").strip().upper() or None
        cols = rec.columns
        cols.update(
            iati_identifier=rec.identifier, default_lang=ctx.lang,
            default_currency=ctx.currency, hierarchy=_int(el.get("hierarchy")),
            humanitarian=parse_flag(el.get("humanitarian")), last_updated=el.get(
                "last-updated-datetime"), iati_version=root.get("version"),
            title=None,
        )
        for child in el:
            handler = HANDLERS.get(child.tag)
            if handler is not None:
                handler(child, rec, ctx)
        _finish(rec)
        return rec


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None




def _finish(rec: ActivityRecord) -> None:
    """Activity-level checks and derived columns."""
    cols = rec.columns
    titles = [(n["lang"], n["text"]) for n in rec.parts.get("narratives", ())
              if n["owner"] == "activity" and n["field"] == "title"]
    cols["title"] = first_text(titles, rec.ctx.lang if rec.ctx else None)
    if cols.get("title") is None and not any(
        p.code == "empty-narrative" and p.field == "title" for p in rec.problems
    ):
        rec.problem("missing-title", field="title")
    start = cols.get("start_actual") or cols.get("start_planned")
    cols["start_year"] = start.year if start else None
    geo = [r["percentage"] for t in _PERCENT_PARTS[0] for r in rec.parts.get(t, ())]
    _check_sum(rec, geo, "recipient-country/recipient-region")
    by_vocab: dict[str, list] = {}
    for r in rec.parts.get("sectors", ()):
        by_vocab.setdefault(r["vocabulary"], []).append(r["percentage"])
    for vocab, values in by_vocab.items():
        _check_sum(rec, values, f"sector[vocabulary={vocab}]")


def _check_sum(rec: ActivityRecord, values: list, fld: str) -> None:
    given = [v for v in values if v is not None]
    if len(values) > 1 and given and abs(sum(given) - 100) > 0.5:
        rec.problem("percentages-do-not-sum", field=fld, value=f"{sum(given):g}")
