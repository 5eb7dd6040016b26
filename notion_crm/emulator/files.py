"""File uploads: create, send (multipart), complete, retrieve and list.

Bytes are kept in memory only (never persisted); the data file keeps the metadata.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from notion_crm.emulator.context import Ctx, page_size
from notion_crm.emulator.errors import bad_cursor, body_failed, not_found, validation
from notion_crm.emulator.ids import floor_minute, fmt_minute, normalize_id
from notion_crm.emulator.model import FileUpload
from notion_crm.emulator.store import Store

SINGLE_PART_MAX = 20 * 1024 * 1024
LIFETIME = timedelta(hours=1)


def upload_object(store: Store, upload: FileUpload) -> dict[str, Any]:
    """A file upload as Notion shows it."""
    creator = store.users.get(upload.created_by)
    out: dict[str, Any] = {
        "object": "file_upload",
        "id": upload.id,
        "created_time": fmt_minute(upload.created_time),
        "created_by": {
            "id": upload.created_by,
            "type": creator.type if creator else "bot",
        },
        "last_edited_time": fmt_minute(upload.created_time),
        "expiry_time": fmt_minute(upload.expiry_time),
    }
    if upload.status == "pending":
        out["upload_url"] = f"https://api.notion.com/v1/file_uploads/{upload.id}/send"
    out.update(
        {
            "in_trash": upload.in_trash,
            "status": upload.status,
            "filename": upload.filename,
            "content_type": upload.content_type,
            "content_length": upload.content_length,
            "archived": upload.in_trash,
        }
    )
    return out


def _refresh(ctx: Ctx, upload: FileUpload) -> None:
    if upload.status == "pending" and ctx.now >= upload.expiry_time:
        upload.status = "expired"


def create_upload(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/file_uploads``."""
    store = ctx.store
    mode = body.get("mode", "single_part")
    if mode not in ("single_part", "multi_part", "external_url"):
        raise body_failed(
            "body.mode",
            f"should be `single_part`, `multi_part` or "
            f"`external_url`, instead was `{mode}`",
        )
    filename = body.get("filename")
    if mode == "multi_part" and (not filename or not body.get("number_of_parts")):
        raise validation(
            "body failed validation: filename and number_of_parts are "
            "required for multi_part uploads."
        )
    if isinstance(filename, str) and len(filename.encode()) > 900:
        raise body_failed("body.filename", "should be at most 900 bytes")
    content_type = body.get("content_type") or _guess_type(filename)
    now = floor_minute(ctx.now)
    upload = FileUpload(
        store.new_id(),
        str(mode),
        filename,
        content_type,
        now,
        now + LIFETIME,
        ctx.caller.user_id,
        number_of_parts=body.get("number_of_parts"),
        external_url=body.get("external_url"),
    )
    store.uploads[upload.id] = upload
    shown = upload_object(store, upload)
    if mode == "external_url":
        upload.status = "uploaded"
    store.touch()
    return shown


def _guess_type(filename: Any) -> str | None:
    import mimetypes

    if not isinstance(filename, str):
        return None
    guessed, _ = mimetypes.guess_type(filename)
    return guessed


def _upload(ctx: Ctx, raw_id: str) -> FileUpload:
    upload = ctx.store.uploads.get(normalize_id(raw_id) or "")
    if upload is None or ctx.store.users.get(upload.created_by) is None:
        raise not_found(
            "file upload", raw_id, ctx.caller.integration_name, ctx.caller.user_id
        )
    _refresh(ctx, upload)
    return upload


def send_upload(
    ctx: Ctx, raw_id: str, content_type: str, payload: bytes
) -> dict[str, Any]:
    """``POST /v1/file_uploads/{id}/send`` with a multipart ``file`` field."""
    upload = _upload(ctx, raw_id)
    if upload.status != "pending":
        raise validation(f"File upload {upload.id} is not in the pending state.")
    fields = parse_multipart(content_type, payload)
    if "file" not in fields:
        raise body_failed("body.file", "should be defined, instead was `undefined`")
    data = fields["file"]
    limit = min(ctx.upload_limit, SINGLE_PART_MAX)
    if len(data) > limit:
        raise validation(
            f"The file size {len(data)} bytes exceeds the limit of {limit} bytes."
        )
    if upload.mode == "multi_part":
        part = int(fields.get("part_number", b"1").decode() or 1)
        upload.parts[part] = len(data)
    else:
        upload.content_length = len(data)
        upload.status = "uploaded"
        ctx.store.upload_bytes[upload.id] = data
    ctx.store.touch()
    return upload_object(ctx.store, upload)


def complete_upload(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``POST /v1/file_uploads/{id}/complete`` (multi_part only)."""
    upload = _upload(ctx, raw_id)
    if upload.mode != "multi_part":
        raise validation("Only multi_part file uploads can be completed.")
    expected = upload.number_of_parts or 0
    if len(upload.parts) != expected:
        raise validation(f"Expected {expected} parts, received {len(upload.parts)}.")
    upload.content_length = sum(upload.parts.values())
    upload.status = "uploaded"
    ctx.store.touch()
    return upload_object(ctx.store, upload)


def retrieve_upload(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``GET /v1/file_uploads/{id}``."""
    return upload_object(ctx.store, _upload(ctx, raw_id))


def list_uploads(ctx: Ctx, query: dict[str, list[str]]) -> dict[str, Any]:
    """``GET /v1/file_uploads``: newest first; ``status`` filters; cursor = an id."""
    store = ctx.store
    uploads = [
        u
        for u in store.uploads.values()
        if u.created_by == ctx.caller.user_id or ctx.caller.kind == "person"
    ]
    for upload in uploads:
        _refresh(ctx, upload)
    status = query.get("status", [None])[0]
    if status is not None:
        uploads = [u for u in uploads if u.status == status]
    uploads.reverse()
    ids = [u.id for u in uploads]
    cursor = query.get("start_cursor", [None])[0]
    start = 0
    if cursor:
        if normalize_id(cursor) not in ids:
            raise bad_cursor(cursor)
        start = ids.index(normalize_id(cursor) or "")
    size = page_size(query.get("page_size", [None])[0])
    chunk = uploads[start : start + size]
    more = start + size < len(uploads)
    return {
        "object": "list",
        "results": [upload_object(store, u) for u in chunk],
        "next_cursor": ids[start + size] if more else None,
        "has_more": more,
        "type": "file_upload",
        "file_upload": {},
    }


def parse_multipart(content_type: str, payload: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body (files by field name)."""
    marker = "boundary="
    if marker not in content_type:
        raise validation("Expected a multipart/form-data body.")
    boundary = content_type.split(marker, 1)[1].split(";")[0].strip().strip('"')
    fields: dict[str, bytes] = {}
    for chunk in payload.split(b"--" + boundary.encode()):
        head, sep, rest = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        name = _field_name(head.decode("utf-8", "replace"))
        if name is not None:
            fields[name] = rest[:-2] if rest.endswith(b"\r\n") else rest
    return fields


def _field_name(head: str) -> str | None:
    for part in head.split(";"):
        part = part.strip()
        if part.startswith("name="):
            return part[5:].strip('"')
    return None
