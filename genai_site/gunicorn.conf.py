"""gunicorn settings for `make serve`: workers from the cores, the app preloaded once."""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Preloading imports the app before forking, so read-only data is shared between workers.
preload_app = True
# No access log: the app writes one line per request itself, with its request id and user id
# (genai_site/request_log.py); gunicorn's would be a second line for each.
accesslog = None
errorlog = "-"
timeout = 30
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The lab's GET forms carry up to 10,000 characters in the URL (up to 90 KB percent-encoded),
# and htmx repeats the page URL in its HX-Current-URL header. (The TLS proxy needs the same
# room, e.g. nginx `large_client_header_buffers 4 128k;`.)
limit_request_line = 0  # unlimited: gunicorn allows nothing between 8190 and 0
limit_request_field_size = 131072
