"""Settings, read from the environment (see README.md, "Configuration").

Production is the default: DEBUG is off unless DJANGO_DEBUG=true (which `make run` sets), and
without DEBUG the site refuses to start with no DJANGO_SECRET_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production never runs with a default secret: "
            "set DJANGO_SECRET_KEY, or use `make serve`, which keeps a generated key in "
            ".secret_key."
        )
    # Development only (DJANGO_DEBUG=true): a throwaway key per process is fine.
    SECRET_KEY = "django-insecure-development-only-" + "x" * 20

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram and full-text search when DATABASE_URL is PostgreSQL
    "django_htmx",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "learning",
    "glossary",
    "quizzes",
]

MIDDLEWARE = [
    # First, so that its one line per request (and its duration) covers everything below.
    "genai_site.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "genai_site.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # ETag / If-None-Match on pages (a 304 when nothing changed).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, below sessions, CSRF and auth (it needs the user, and the CSRF middleware must see
    # the token it hands out): serves anonymous visitors' pages from the cache.
    "genai_site.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "genai_site.urls"
WSGI_APPLICATION = "genai_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "learning.context_processors.site",
                "genai_site.page_cache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One machine, many workers: WAL lets readers run beside a writer, IMMEDIATE makes writers
    # queue on the lock (up to the timeout) instead of failing with "database is locked".
    # Connections persist as on PostgreSQL (CONN_MAX_AGE above): opening one and running the
    # PRAGMAs costs about 5 ms, more than a cached page takes to serve.
    # Writers also queue on a file lock, woken at once rather than polling (see the module).
    DATABASES["default"]["ENGINE"] = "genai_site.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "learning:home"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Whether every worker and server sees the same cache (the page cache's content version lives
# there only then).
CACHE_IS_SHARED = bool(REDIS_URL)
if REDIS_URL:
    # Django's RedisCache, but a Redis outage is a cache miss (logged), not a 500: see
    # genai_site/cache.py. Short socket timeouts there keep a dead Redis cheap.
    CACHES = {
        "default": {
            "BACKEND": "genai_site.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions read from Redis and are written to both Redis and the database, so losing Redis
    # loses no session (nobody is logged out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Per process: with several workers (make serve), set REDIS_URL so they share one cache.
    # Sessions stay in the database (the default engine): a per-process cache cannot hold them.
    # Lab images are large (a diffusion strip is up to 1.5 MB): keep at most 200 entries.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 200},
        }
    }

# Review scheduling: FSRS-6 fuzzes intervals a little so cards learned together spread out.
FSRS_FUZZING = env_bool("DJANGO_FSRS_FUZZING", True)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
# The site is written in English and translates nothing: without the translation machinery, each
# number a template shows skips a thread-local language lookup (a tenth of a dashboard's calls).
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests run with DEBUG off but without collectstatic; whitenoise then serves from the finders.
WHITENOISE_USE_FINDERS = env_bool("DJANGO_STATIC_FINDERS", DEBUG)
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Mail: the console under `make run`, SMTP (settings from the environment) otherwise.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "GenAI Guide <noreply@localhost>")

# Security: strict by default; DEBUG (make run, plain http://127.0.0.1) relaxes transport only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto: https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# CORS: off by default; browser clients on other origins are allowed one by one.
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"


# --- API (REST framework, OpenAPI) ----------------------------------------------------------
def env_throttle_rate(name: str, default: str) -> str:
    """A DRF rate such as "120/min" (per second, minute, hour or day), checked at start-up."""
    rate = os.environ.get(name) or default
    number, _, period = rate.partition("/")
    if not (
        number.isdigit()
        and period in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}
    ):
        raise ImproperlyConfigured(f'{name} must look like "120/min", not {rate!r}')
    return rate


REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "genai_site.api_schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "genai_site.api.ApiPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Safe by default: a view that lets learners write says so itself.
    "DEFAULT_PERMISSION_CLASSES": ["genai_site.api.IsInstructorOrReadOnly"],
    # Token first: its WWW-Authenticate header makes "not signed in" a 401 (not a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["genai_site.api.JSONParser"],
    "EXCEPTION_HANDLER": "genai_site.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["genai_site.api.AnonThrottle", "genai_site.api.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_throttle_rate("DJANGO_API_THROTTLE_ANON", "120/min"),
        "user": env_throttle_rate("DJANGO_API_THROTTLE_USER", "600/min"),
    },
    # Behind the TLS proxy the client address is the last X-Forwarded-For hop; without a proxy
    # (make run) it is REMOTE_ADDR, so a client cannot pick its own throttle bucket.
    "NUM_PROXIES": int(os.environ.get("DJANGO_API_NUM_PROXIES", "0" if DEBUG else "1")),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GenAI Learning Guide API",
    "DESCRIPTION": (
        "The guide's content (concepts, LLM steps, architectures, papers, pioneers, the roadmap, "
        "the learning path, system types, model families, resources, prompting, the glossary), "
        "quizzes and each learner's own progress.\n\n"
        "- **Reading** content needs no account. Lists are paginated: `?page=` (from 1) and "
        "`?page_size=` (1–100, default 20).\n"
        "- **Signing in**: `POST /api/v1/auth/token/` with `username` and `password` returns a "
        "token; send it as `Authorization: Token <token>`. `DELETE` on the same URL revokes it. "
        "Our own pages use the session cookie (with CSRF).\n"
        "- **Writing** content is for instructors (the Instructors group, or staff).\n"
        "- **Errors** all have one shape: "
        '`{"error": {"status", "code", "message", "fields"}}`; `fields` (400 only) names each '
        "invalid field.\n"
        "- **Throttling**: per address when anonymous, per user when signed in; a 429 says how "
        "long to wait in `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Requests (slugs for related items) and responses (links) differ: separate components.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "learning.models.Resource.Kind",
        "ResourceLevelEnum": "learning.models.Resource.Level",
        "PromptLevelEnum": "learning.models.PromptExample.Level",
        "DefinitionKindEnum": "glossary.models.Definition.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to the online validator: the docs page talks to this site only.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
}

# --- end of API settings ---------------------------------------------------------------------

# One line per request (genai_site/request_log.py), as JSON lines when DJANGO_LOG_FORMAT=json.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT") or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "genai_site.request_log.RequestIdFilter"}},
    "formatters": {
        "text": {"()": "genai_site.request_log.TextFormatter"},
        "json": {"()": "genai_site.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The request line has every status already: django.request's "Not Found: /x" warnings
        # would be a second line per 4xx. Its 5xx errors (with the traceback) stay.
        "django.request": {"level": "ERROR"},
    },
}
