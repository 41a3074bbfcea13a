"""Small HTTP client for the local service and Prometheus."""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

# Only local servers are contacted: an http_proxy in the environment must not intercept them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    """An HTTP answer; `status` is 0 when none came (connection refused, timeout)."""

    status: int
    body: bytes = b""
    error: str = ""

    def json(self) -> dict:
        """The body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.body)


def request(url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 10.0) -> Response:
    """GETs `url`, or POSTs `body` to it."""
    req = urllib.request.Request(url, data=body, headers=headers or {}, method="GET" if body is None else "POST")
    try:
        with _OPENER.open(req, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), str(error))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        return Response(0, error=str(error))


def post_json(url: str, payload: object, headers: dict[str, str] | None = None) -> Response:
    """POSTs `payload` as JSON."""
    return request(url, body=json.dumps(payload).encode(),
                   headers={"Content-Type": "application/json", **(headers or {})})


def query_prometheus(base: str, expr: str, timeout: float = 10.0) -> dict:
    """Prometheus' answer to an instant query: {"status": "success", "data": ...} or {"status": "error", ...}."""
    response = request(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=timeout)
    try:
        return response.json()
    except ValueError:
        return {"status": "error", "error": response.error or f"HTTP {response.status}: not JSON"}
