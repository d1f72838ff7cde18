"""Docker health check for the web container: GET /health/ from inside the container.

The request names the first host in ALLOWED_HOSTS and says it came over HTTPS, as the
reverse proxy's requests do; otherwise Django would refuse the host, or redirect to HTTPS.
Exits 0 when the app answers {"status": "ok"} (it reaches its database), 1 otherwise.

    python scripts/healthcheck.py [URL]    # URL defaults to http://127.0.0.1:8000/health/
"""

import json
import os
import sys
import urllib.request


def main() -> int:
    hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/health/"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            healthy = response.status == 200 and json.load(response).get("status") == "ok"
    except Exception as error:  # any failure is simply "unhealthy"; say why in docker inspect
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
