"""Container health check for both commands of the image (`runwright api`, `runwright worker`).

Exit 0 when this container's process answers on loopback: the API's `GET /health` (200 only
when the store and Temporal answer) or, for a worker, its Prometheus endpoint. Each process
listens on one of the two ports only, so "either answers" checks whichever runs here.
Standard library only: it runs as `python /opt/runwright/healthcheck.py` inside the image.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return bool(response.status == 200)
    except OSError:  # refused, timed out, or an HTTP error status (HTTPError is an OSError)
        return False


def main() -> int:
    api_port = os.environ.get("RUNWRIGHT_API_PORT", "8000")
    metrics_port = os.environ.get("RUNWRIGHT_WORKER_METRICS_PORT", "9464")
    urls = (
        f"http://127.0.0.1:{api_port}/health",
        f"http://127.0.0.1:{metrics_port}/metrics",
    )
    return 0 if any(_answers(url) for url in urls) else 1


if __name__ == "__main__":
    sys.exit(main())
