"""Environment for the test run, loaded as a pytest plugin (`-p tests.environment`) so that it is
set before pytest-django imports the settings.

Tests run with production settings (DEBUG off), minus the HTTPS redirect that the TLS proxy makes
unnecessary; the secret is a test-only value.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_STATIC_FINDERS", "true")
# Playwright's live_server runs Django inside pytest's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Scheduling through fsrs gives exactly the package's intervals when fuzzing is off.
os.environ.setdefault("DJANGO_FSRS_FUZZING", "false")
