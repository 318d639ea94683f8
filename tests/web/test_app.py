"""The app factory and the single error shape, in-process through httpx."""

from __future__ import annotations

import httpx

from openceir.settings import Settings
from openceir.web import create_app


async def _get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


def test_health_answers_version(tmp_path) -> None:
    import asyncio

    app = create_app(Settings(data_dir=tmp_path))
    response = asyncio.run(_get(app, "/api/v1/health"))
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_unknown_route_is_problem_json(tmp_path) -> None:
    import asyncio

    app = create_app(Settings(data_dir=tmp_path))
    response = asyncio.run(_get(app, "/api/v1/nothing-here"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
