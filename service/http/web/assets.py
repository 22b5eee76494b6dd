"""The favicon at the address browsers ask for without being told (/favicon.ico): the same SVG as the
<link rel="icon"> of every page, so no request for it ends in a 404."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from service.http.web.templating import WEB_DIR

router = APIRouter(include_in_schema=False)
FAVICON = WEB_DIR / "static" / "favicon.svg"


@router.get("/favicon.ico", name="web_favicon")
def favicon() -> Response:
    return FileResponse(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
