"""gunicorn settings for `make serve`: workers from the cores, the app preloaded once."""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Preloading imports the app before forking, so read-only data is shared between workers.
preload_app = True
accesslog = "-"
errorlog = "-"
timeout = 30
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
