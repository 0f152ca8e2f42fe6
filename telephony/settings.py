"""Settings, read from the environment.

With nothing set the product runs embedded: SQLite and a file-system Celery
broker under ``var/``, so ``make run`` needs no server. Production sets
``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis), ``SECRET_KEY``,
``ALLOWED_HOSTS`` and ``HTTPS=true``; see the README.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    # A key kept under var/ so that the embedded set-up needs no configuration
    # and sessions survive restarts; production always sets SECRET_KEY.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


PRODUCT_NAME = "Dialtone back-office"

SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "telephony",
    "telephony.imports",
    "customers",
    "dids",
    # The old "pools" app keeps only the migration history that created the
    # tables the two apps below now own (docs/decisions/pools-split.md).
    "pools",
    "callerid_pools",
    "call_tracking",
    "distribution_lists",
    "campaigns",
    "dnc",
    "privacy",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "telephony.api_errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "customers.middleware.CustomerMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "telephony.urls"
WSGI_APPLICATION = "telephony.wsgi.application"
ASGI_APPLICATION = "telephony.asgi.application"

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
                "telephony.navigation.menu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Server-side prepared statements for the few hot statements that ask
        # for them (telephony/db.py: the carousel draw, the dialer's per-call
        # statements, the DNI page view). Django's own queries bind on the
        # client and are never prepared. DATABASE_PREPARED_STATEMENTS=false behind a pooler that
        # cannot keep them (PgBouncer before 1.21 in transaction mode).
        # They are point lookups by key, planned once: left to choose,
        # PostgreSQL re-planned the DNI allocation on every execution (its
        # generic estimate for "sessions not yet expired" is a third of the
        # table), and the planning cost more than the statement.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            options.update(prepare_threshold=5, options="-c plan_cache_mode=force_generic_plan")
        else:
            options["prepare_threshold"] = None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # The web server, the worker and the scheduler share one file:
                # WAL lets readers run beside the writer, IMMEDIATE takes the
                # write lock at BEGIN so a transaction never fails half-way on
                # an upgrade, and the timeout waits for a busy writer.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------

AUTH_USER_MODEL = "customers.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (django-axes): the first backend refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# LOGIN_FAILURE_LIMIT wrong passwords for one email from one client address lock that pair out
# (/login/ and /admin/login/) for LOGIN_COOLOFF_MINUTES (0: until an administrator unlocks it).
# The pair, not the email alone: a stranger cannot lock a user out from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
_LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_LOGIN_COOLOFF_MINUTES) if _LOGIN_COOLOFF_MINUTES > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "customers.login_throttling.username"
# The client address as the DNI limit and the API throttles read it: TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "customers.login_throttling.client_address"
AXES_LOCKOUT_CALLABLE = "customers.login_throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies on collectstatic; no manifest, so pages render the
    # same whether or not collectstatic has run.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Tests and the embedded set-up serve static files straight from static/.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------

# HTTPS=true behind TLS (directly or through a proxy that sets
# X-Forwarded-Proto) turns on every transport protection `check --deploy`
# asks for; the embedded set-up on 127.0.0.1 speaks plain HTTP.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Cache ----------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------

# The embedded broker is kombu's file-folder transport made safe against its
# read-before-write race (telephony/embedded_broker.py); "filesystem://" means it too.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "embedded://"
if CELERY_BROKER_URL in ("embedded://", "filesystem://"):
    from telephony.embedded_broker import register as _register_embedded_broker

    _register_embedded_broker()
    CELERY_BROKER_URL = "embedded://"
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "taking", "rejected"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    # How long an unacknowledged task waits before Redis hands it out again.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 1740)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection before and after
# each task unless this is set: a new PostgreSQL connection per call task
# cost more than the call's own work (measured with the dialer benchmark).
# With it, telephony/celery.py closes only unusable or expired connections
# (CONN_MAX_AGE), as Django does per request.
CELERY_DB_REUSE_MAX = 10**9
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic jobs: each app adds its own entry in telephony/celery.py.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Distribution lists (issue 3) -------------------------------------------

# Uploads above these are refused before any work starts.
DISTRIBUTION_LIST_MAX_FILE_BYTES = env_int("DISTRIBUTION_LIST_MAX_FILE_MB", 100) * 1024 * 1024
DISTRIBUTION_LIST_MAX_ROWS = env_int("DISTRIBUTION_LIST_MAX_ROWS", 1_000_000)
# Untrusted spreadsheets (every import: lists, DIDs, pools). Checked from the
# archive before any parse, then read in a child process with these limits.
# The defaults let every honest 1,048,576-row sheet through.
IMPORT_SPREADSHEET_MAX_ROWS = env_int("IMPORT_SPREADSHEET_MAX_ROWS", 1_048_576)
IMPORT_SPREADSHEET_MAX_COLUMNS = env_int("IMPORT_SPREADSHEET_MAX_COLUMNS", 1_000)
IMPORT_SPREADSHEET_MAX_CELLS = env_int("IMPORT_SPREADSHEET_MAX_CELLS", 50_000_000)
IMPORT_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_SPREADSHEET_MAX_UNCOMPRESSED_MB", 1024) * 1024 * 1024
IMPORT_SPREADSHEET_MAX_COMPRESSION_RATIO = env_int("IMPORT_SPREADSHEET_MAX_COMPRESSION_RATIO", 100)
IMPORT_SPREADSHEET_MEMORY_MB = env_int("IMPORT_SPREADSHEET_MEMORY_MB", 2048)
IMPORT_SPREADSHEET_TIMEOUT_SECONDS = env_int("IMPORT_SPREADSHEET_TIMEOUT_SECONDS", 300)
# Rows per chunk of the import: progress is saved after each chunk.
DISTRIBUTION_LIST_CHUNK_ROWS = env_int("DISTRIBUTION_LIST_CHUNK_ROWS", 10_000)
# An import (of any kind) that saved no progress for this long lost its worker: it is failed.
IMPORT_STALLED_AFTER_SECONDS = env_int(
    "IMPORT_STALLED_AFTER_SECONDS", env_int("DISTRIBUTION_LIST_STALLED_AFTER_SECONDS", 300)
)
CELERY_BEAT_SCHEDULE["imports-reap-stalled-jobs"] = {
    "task": "imports.reap_stalled_jobs",
    "schedule": 60.0,
}

# --- REST API -------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "customers.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["customers.permissions.IsCustomer"],
    "DEFAULT_SCHEMA_CLASS": "telephony.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PARSER_CLASSES": [
        "telephony.api_errors.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "telephony.api_errors.api_exception_handler",
    # How many proxies of ours add to X-Forwarded-For: the client is the address that many
    # entries from its end. 0: the header is not trusted, the peer address is the client.
    "NUM_PROXIES": env_int("TRUSTED_PROXIES", 0),
    "DEFAULT_THROTTLE_CLASSES": ["customers.throttling.ApiTokenRateThrottle"],
}
# Requests one API token (or dashboard user) may make to the REST API: "<n>/<s|min|hour|day>";
# empty: no limit. Over it: 429 with Retry-After.
API_RATE = os.environ.get("API_RATE", "1200/min")
# Deepest nesting of lists and objects a JSON request body may have (deeper: 400).
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32)
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PRODUCT_NAME} API",
    "VERSION": "3.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI from the sidecar package: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the ISO country enum of every country field.
    "ENUM_NAME_OVERRIDES": {"CountryEnum": "telephony.api_helpers.ISO_REGIONS"},
    # Every operation's error answers, in the one envelope (telephony/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "telephony.api_schema.add_error_responses",
    ],
}

# --- Logging --------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes: its start-up banner and every failed login at INFO are noise; lockouts are WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Apps (call scenarios) ------------------------------------------------

AUDIO_MAX_BYTES = env_int("AUDIO_MAX_BYTES", 10 * 1024 * 1024)
# Recordings are converted at upload to the telephone's format (sox): at most this long, within this time.
AUDIO_MAX_SECONDS = env_int("AUDIO_MAX_SECONDS", 600)
AUDIO_CONVERT_TIMEOUT = env_int("AUDIO_CONVERT_TIMEOUT", 60)

# --- DID inventory (dids app, issue 4) --------------------------------------

# Most numbers one add request, range or `add_dids` run may create.
DIDS_MAX_NUMBERS_PER_REQUEST = env_int("DIDS_MAX_NUMBERS_PER_REQUEST", 10_000)
# Fewest digits a number may have (the seed's example range is 111-222).
DIDS_MIN_DIGITS = env_int("DIDS_MIN_DIGITS", 3)
# Country of numbers typed nationally (01174090100); empty: international only.
DIDS_DEFAULT_REGION = os.environ.get("DIDS_DEFAULT_REGION", "")
# Admin lists count exactly up to this many rows, then show the planner's estimate.
DIDS_EXACT_COUNT_UP_TO = env_int("DIDS_EXACT_COUNT_UP_TO", 10_000)
# DID file imports: the upload's limits and the rows per chunk (progress is saved after each).
DIDS_IMPORT_MAX_FILE_BYTES = env_int("DIDS_IMPORT_MAX_FILE_MB", 100) * 1024 * 1024
DIDS_IMPORT_MAX_ROWS = env_int("DIDS_IMPORT_MAX_ROWS", 1_000_000)
DIDS_IMPORT_CHUNK_ROWS = env_int("DIDS_IMPORT_CHUNK_ROWS", 10_000)
# django-simple-history's own switch, stated here because the DIDs' bulk writer (dids/bulk.py) honours it too.
SIMPLE_HISTORY_ENABLED = True
CELERY_BEAT_SCHEDULE["dids-expire-holds"] = {
    "task": "dids.tasks.dids_expire_holds",
    "schedule": env_int("DIDS_HOLD_EXPIRY_EVERY_SECONDS", 300),
}

# --- Caller-ID number pools (issue 5) ---------------------------------------

# Most rows and bytes of one "Add from file" upload in the pool admin.
POOLS_UPLOAD_MAX_ROWS = env_int("POOLS_UPLOAD_MAX_ROWS", 10_000)
POOLS_UPLOAD_MAX_BYTES = env_int("POOLS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# --- Call tracking (issue 8) ------------------------------------------------

# Most numbers one request may provision into a pool.
TRACKING_POOL_MAX_QUANTITY = env_int("TRACKING_POOL_MAX_QUANTITY", 100)
# The telephone platform's token for the incoming-call endpoint; empty refuses every call report.
TRACKING_PLATFORM_TOKEN = os.environ.get("TRACKING_PLATFORM_TOKEN", "")
# DNI rate limits, fixed windows counted in the cache (call_tracking/api/rate_limits.py):
# page views per visitor of a pool, requests per IP.
TRACKING_DNI_VISITOR_RATE = os.environ.get("TRACKING_DNI_VISITOR_RATE", "60/min")
TRACKING_DNI_IP_RATE = os.environ.get("TRACKING_DNI_IP_RATE", "600/min")

# --- The dialer (issue 7) ---------------------------------------------------


def _env_pairs(name: str, default: str) -> dict[str, str]:
    """``"a:1,b:2"`` → ``{"a": "1", "b": "2"}`` (env-friendly maps for the simulator)."""
    pairs = {}
    for item in env_list(name, default):
        key, _, value = item.partition(":")
        pairs[key.strip()] = value.strip()
    return pairs


def _env_range(name: str, default: str) -> tuple[float, float]:
    low, _, high = os.environ.get(name, default).partition("-")
    return float(low), float(high or low)


# The backend that places calls (telephony/gateways/); the simulator by default.
DIALER_GATEWAY = os.environ.get("DIALER_GATEWAY", "telephony.gateways.simulator.SimulatorGateway")
# Platform-wide, across every campaign and worker.
DIALER_MAX_CALLS = env_int("DIALER_MAX_CALLS", 200)
DIALER_MAX_CALLS_PER_SECOND = env_int("DIALER_MAX_CALLS_PER_SECOND", 100)
# The call threads of all dialer workers together (the sum of their --concurrency):
# calls in progress never exceed it, so no claim waits for a thread (Procfile.embedded: 20).
DIALER_CALL_THREADS = env_int("DIALER_CALL_THREADS", 20)
# An attempt not reported within this many seconds (renewed on answer) was lost by its worker.
DIALER_LEASE_SECONDS = env_int("DIALER_LEASE_SECONDS", 180)
# PostgreSQL memory for the launch's do-not-call hash joins (SET LOCAL, that statement only): a
# million-contact list then joins in one pass instead of spilling to temporary files (dnc/dialer.py).
DIALER_LAUNCH_WORK_MEM = os.environ.get("DIALER_LAUNCH_WORK_MEM", "64MB")
# Call tasks: the hard limit stays below the lease, so a stuck call is killed before the reaper ends it.
DIALER_CALL_TIME_LIMIT = env_int("DIALER_CALL_TIME_LIMIT", max(DIALER_LEASE_SECONDS - 10, 5))
# Real calls (DIALER_GATEWAY=sip): the trunk and the call engine (telephony/sip/, README "Real calls (SIP)").
SIP_TRUNK = os.environ.get("SIP_TRUNK", "sip:127.0.0.1:5070")
SIP_USERNAME = os.environ.get("SIP_USERNAME", "")
SIP_PASSWORD = os.environ.get("SIP_PASSWORD", "")
SIP_LISTEN = os.environ.get("SIP_LISTEN", "127.0.0.1:5060")
SIP_RTP_PORTS = os.environ.get("SIP_RTP_PORTS", "20000-20999")
SIP_RING_TIMEOUT = env_int("SIP_RING_TIMEOUT", 45)
SIP_CODECS = os.environ.get("SIP_CODECS", "PCMU,PCMA")
# Packet time of the engine's media clock (ms): every call sends one RTP packet per packet time.
SIP_PTIME = env_int("SIP_PTIME", 20)
# Calls an engine has taken off Redis and not dialled yet: beyond, the rest wait in Redis for another
# engine (or a moment later) instead of piling up dials in an engine short of CPU.
SIP_DIALS_IN_FLIGHT = env_int("SIP_DIALS_IN_FLIGHT", 20)
# Threads an engine gives its database work (take-time check, reports, lease renewals).
SIP_DATABASE_THREADS = env_int("SIP_DATABASE_THREADS", 6)
SIP_TTS = os.environ.get("SIP_TTS", "telephony.sip.tts.EspeakTTS")
SIP_TTS_VOICE = os.environ.get("SIP_TTS_VOICE", "en")
SIP_TTS_CACHE_DIR = os.environ.get("SIP_TTS_CACHE_DIR", str(VAR_DIR / "tts"))
# The simulator (telephony/gateways/simulator.py): cause code → weight.
DIALER_SIM_MIX = {
    cause: int(weight)
    for cause, weight in _env_pairs("DIALER_SIM_MIX", "200:55,408:12,480:5,486:12,603:3,404:5,503:8").items()
}
DIALER_SIM_RING_SECONDS = _env_range("DIALER_SIM_RING_SECONDS", "1-6")
DIALER_SIM_TALK_SECONDS = tuple(int(v) for v in _env_range("DIALER_SIM_TALK_SECONDS", "3-40"))
DIALER_SIM_SEED = os.environ.get("DIALER_SIM_SEED", "dialtone")
# Number suffix → "cause" or "200/seconds", e.g. "9:486" (ending in 9: always busy).
DIALER_SIM_OVERRIDES = _env_pairs("DIALER_SIM_OVERRIDES", "")
# Number suffix → digits the simulated callee presses in a gather, e.g. "5:9" (an opt-out digit).
DIALER_SIM_DIGITS = _env_pairs("DIALER_SIM_DIGITS", "")

# Do-not-call and erasure (dnc/, privacy/).
# The country national numbers in DNC uploads and forms are read in (empty: only +international).
DNC_DEFAULT_REGION = os.environ.get("DNC_DEFAULT_REGION", "")
# DNC files with more rows than this are imported by a worker (the upload answers at once).
DNC_UPLOAD_INLINE_ROWS = env_int("DNC_UPLOAD_INLINE_ROWS", 20000)
# DNC uploads above these are refused before any work starts.
DNC_UPLOAD_MAX_FILE_BYTES = env_int("DNC_UPLOAD_MAX_FILE_MB", 100) * 1024 * 1024
DNC_UPLOAD_MAX_ROWS = env_int("DNC_UPLOAD_MAX_ROWS", 1_000_000)
# The key of the one-way hash that replaces an erased number (empty: SECRET_KEY).
PRIVACY_HASH_KEY = os.environ.get("PRIVACY_HASH_KEY", "")
DIALER_SIM_ZERO_DELAY = env_bool("DIALER_SIM_ZERO_DELAY", False)
DIALER_SIM_TIME_SCALE = float(os.environ.get("DIALER_SIM_TIME_SCALE", "1"))
# Call tasks run on their own queue: a simulated call holds its worker thread
# for the whole call, so calls must not queue in front of the dispatcher's ticks
# or an import. Start a worker for it with `-Q calls` (Procfile.embedded does).
DIALER_CALL_QUEUE = os.environ.get("DIALER_CALL_QUEUE", "calls")
CELERY_TASK_ROUTES = {"campaigns.place_call": {"queue": DIALER_CALL_QUEUE}}
# Each beat tick dispatches for this long, reusing freed lines every DIALER_ROUND_PAUSE seconds.
DIALER_TICK_SECONDS = float(os.environ.get("DIALER_TICK_SECONDS", "0.9"))
DIALER_ROUND_PAUSE = float(os.environ.get("DIALER_ROUND_PAUSE", "0.05"))
CELERY_BEAT_SCHEDULE["dialer-dispatch"] = {
    "task": "campaigns.dialer_dispatch",
    "schedule": 1.0,
    # A tick older than its successor is pointless: drop it instead of piling up.
    "options": {"expires": 5},
}
CELERY_BEAT_SCHEDULE["dialer-reap"] = {
    "task": "campaigns.dialer_reap",
    "schedule": float(env_int("DIALER_REAP_EVERY_SECONDS", 10)),
    "options": {"expires": 30},
}

# Compliance (README "Legal calling hours, caps and local presence"): at most this many
# call attempts to one B-number per day / per week across a customer's campaigns
# (a customer's override in the admin wins); legal hours are re-read this often.
COMPLIANCE_CALLS_PER_DAY = env_int("COMPLIANCE_CALLS_PER_DAY", 3)
COMPLIANCE_CALLS_PER_WEEK = env_int("COMPLIANCE_CALLS_PER_WEEK", 10)
COMPLIANCE_RULES_SECONDS = float(os.environ.get("COMPLIANCE_RULES_SECONDS", "10"))
# At most this many calls a day from one A-number (a pool's policy may override it).
COMPLIANCE_A_NUMBER_CALLS_PER_DAY = env_int("COMPLIANCE_A_NUMBER_CALLS_PER_DAY", 300)
