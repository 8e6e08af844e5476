"""Receiving files through a form: one way to read the multipart body, check its CSRF token,
find the files sent and write each to disk within a size limit (import, programmes, training,
appraisal pages share it)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile  # what forms hold (fastapi's is a subclass)

from tcmap.web.security import HttpError, Principal

CHUNK = 1 << 20


async def read_form(request: Request, who: Principal, max_files: int, max_fields: int,
                    hint: str):
    """The posted form, its CSRF token checked; `hint` says how to send it right."""
    from tcmap.web.pages.reports import check_form_csrf

    try:
        form = await request.form(max_files=max_files, max_fields=max_fields)
    except Exception as exc:  # a broken or oversized multipart body
        raise HttpError(400, "bad-upload", "The upload could not be read: "
                        f"{getattr(exc, 'detail', exc)}", hint=hint) from None
    sent = form.get("csrf_token")
    try:
        check_form_csrf(request, who, sent if isinstance(sent, str) else None)
    except BaseException:
        await form.close()
        raise
    return form


def files_sent(form, hint: str, field: str = "files",
               message: str = "No file was uploaded.") -> list[UploadFile]:
    """The files of the field that carry a name, or a 422 problem saying what to send."""
    parts = [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]
    if not parts:
        raise HttpError(422, "no-files", message, hint=hint)
    return parts


async def save_upload(part: UploadFile, path: Path, limit: int, what: str, hint: str) -> int:
    """Write the file to `path` chunk by chunk; past `limit` bytes, a 413 problem (`what` is
    the most such a file may be, e.g. "the most one uploaded file may be")."""
    size = 0
    with path.open("wb") as out:
        while chunk := await part.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise HttpError(413, "file-too-large", f"{part.filename or path.name} is "
                                f"larger than {limit / 2**20:g} MB, {what}.", hint=hint)
            out.write(chunk)
    return size
