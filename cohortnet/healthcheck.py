"""Container health check for the web service: ``python -m cohortnet.healthcheck``.

Asks gunicorn for /healthz/ as the proxy would (an allowed Host, HTTPS
forwarded), so the check passes through the same security middleware as
real traffic. Exit status 0 means healthy.
"""

import os
import sys
import urllib.request


def main() -> int:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(  # noqa: S310 -- a fixed http URL on loopback
        f"http://127.0.0.1:{port}/healthz/", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 -- as above
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
