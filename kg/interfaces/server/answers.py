"""How the server answers: the one mapping of kg's errors to HTTP statuses, request bodies under the size cap,
and a worker's answer streamed as it is written."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from kg.errors import KgError, MissingParameter, QueryError, QueryRefused, QueryTimeout
from kg.interfaces.server.pool import Busy
from kg.workers import ERRORS, Job, NotAcceptable

STATUS = {NotAcceptable: 406, QueryTimeout: 504, QueryRefused: 403, MissingParameter: 400, QueryError: 400}


class StreamAborted(Exception):
    """An answer that failed after its head was sent: the connection is closed without the final chunk, so
    that a client sees an incomplete response instead of a short one."""


def error(exc: BaseException) -> Response:
    """The one place where kg's errors become HTTP statuses; the body is one line starting ``kg:``."""
    if isinstance(exc, Busy):
        return PlainTextResponse("kg: too many queries at once; try again shortly\n", 503, {"Retry-After": "1"})
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
    return PlainTextResponse(f"kg: {exc}\n", status)


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 past the server's size cap (checked as it arrives)."""
    limit = request.app.state.settings.max_body
    if int(request.headers.get("content-length") or 0) > limit:
        raise HTTPException(413, f"kg: the request is over the server's {limit} byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"kg: the request is over the server's {limit} byte limit")
    return bytes(body)


async def respond(request: Request, job: Job, *, headers: dict[str, str] | None = None) -> Response:
    """Runs a job on a worker and streams its answer; a failure before the first byte gets its status, a later
    one aborts the response (StreamAborted)."""
    pool = request.app.state.pool
    messages = pool.messages(job)
    try:
        head = await anext(messages)
    except Busy as exc:
        return error(exc)
    if head[0] == "error":
        return error(ERRORS.get(head[1], KgError)(head[2]))
    media, truncated = head[2], head[3]
    extra = dict(headers or {})
    if truncated:
        extra["KG-Truncated"] = f"true; max-rows={job.max_rows}"
    extra["KG-Max-Rows"] = str(job.max_rows)
    if head[0] == "whole":  # a short answer, in one message: one plain response with its length
        return Response(head[4], media_type=media, headers=extra)

    async def body():
        async for message in messages:
            if message[0] == "data":
                yield message[1]
            elif message[0] == "error":
                raise StreamAborted(message[2])
    return StreamingResponse(body(), media_type=media, headers=extra)
