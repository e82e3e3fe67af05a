"""Settings, all from the environment (see .env.example).

Defaults are for development: SQLite in the project folder and a Celery broker on
the filesystem, so that `make run` needs no server. With DATABASE_URL and
REDIS_URL set the same code runs on PostgreSQL and Redis.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# How e-mails name the product and where it lives (the Sites record; clinic/site.py).
SITE_DOMAIN = env.str("SITE_DOMAIN", default="") or urlsplit(SITE_URL).netloc
SITE_NAME = env.str("SITE_NAME", default="") or "Runners' unloading massage"

INSTALLED_APPS = [
    # Before the admin, as django-modeltranslation asks (clinic/translation.py).
    "modeltranslation",
    "clinic.admin_apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sites",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "clinic",
    "runners",
    "billing",
    "booking",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that renders, so it sees the final response (clinic/middleware.py).
    "clinic.middleware.PrivateResponseMiddleware",
    "clinic.middleware.SessionCookieSanityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Control characters in the path or the query string: 400 before any view reads them.
    "clinic.middleware.ControlCharactersMiddleware",
    "clinic.middleware.StaffSessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees the view's exceptions first: a lost database becomes a clean 503.
    "clinic.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.branding.context",
            ],
        },
    },
]

# DATABASE_URL unset or empty (`DATABASE_URL= make run`): SQLite beside the code.
DATABASES = {
    "default": environ.Env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so the booking
    # re-check and insert are serialised on SQLite as the lock does on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Fail fast when PostgreSQL is away (restart, failover): a 503 in seconds, not a hang.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
    )
    if env.bool("DB_PGBOUNCER", default=False):
        # Behind PgBouncer in transaction pooling (docs/scaling.md): a server connection
        # is ours for one transaction only, so nothing may outlive it: no server-side
        # cursors (iterator() fetches client-side) and no prepared statements (psycopg
        # prepares a query run 5 times by default). Locks and lock_timeout are already
        # per transaction (SET LOCAL, FOR UPDATE). psycopg's default client-side binding
        # stays.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SITE_ID = 1
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
# One password, with a show/hide button instead of typing it twice (runners.account_forms).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
# No enumeration: signing up with a taken address answers exactly as a fresh one ("check
# your e-mail") and e-mails the owner instead; a password reset for an unknown address
# answers as for a known one and e-mails that address "there is no account" (rate-limited
# below). Only mandatory verification makes the two sign-ups look alike: with "optional"
# a fresh sign-up is signed in at once and a taken address cannot be, and "strict" would
# let a second account share the address (our User.email is unique). Accounts without a
# verified address (older ones, staff added in the admin) get the confirmation e-mail when
# they next sign in.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
# Confirming in the browser that signed up signs the runner in: booking stays one flow.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One tap: opening the e-mail's link confirms the address (no second "Confirm" button).
# The link is single-purpose: an HMAC of the address that can only mark that address
# verified, expires (ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS) and does nothing else. It
# signs in only the browser that signed up (allauth keeps the pending sign-in in that
# session); opened elsewhere, or by a mail scanner, it confirms and asks to sign in.
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "5/m/ip,3/5m/key",
}
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "runners.adapter.AccountAdapter"
# allauth's forms, refusing control characters like every form of ours (clinic/text.py).
ACCOUNT_FORMS = {
    name: f"runners.account_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reauthenticate": "ReauthenticateForm",
        "add_email": "AddEmailForm",
        "change_email": "ChangeEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "user_token": "UserTokenForm",
        "request_login_code": "RequestLoginCodeForm",
        "confirm_login_code": "ConfirmLoginCodeForm",
        "confirm_email_verification_code": "ConfirmEmailVerificationCodeForm",
        "confirm_password_reset_code": "ConfirmPasswordResetCodeForm",
        "confirm_reauthentication_code": "ConfirmReauthenticationCodeForm",
        "change_phone": "ChangePhoneForm",
        "verify_phone": "VerifyPhoneForm",
    }.items()
}
CSRF_FAILURE_VIEW = "clinic.views.csrf_failure"
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("NUM_PROXIES", default=0)

# Cache (allauth's rate limits and availability caching live here).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis' RedisCache that degrades to misses when Redis is down (clinic/cache.py).
            "BACKEND": "clinic.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="runclinic"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous availability cached per day, invalidated per therapist (clinic/cache.py).
AVAILABILITY_CACHE = env.bool("AVAILABILITY_CACHE", default=True)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# A service or therapist text left empty in one language shows the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "es")}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (clinic logos), served by clinic.branding.brand_logo, never from this folder.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default="") or BASE_DIR / "var" / "media")
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

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A reminder's row lock is held while its message goes out: never wait on SMTP for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bookings@demo.clinic")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "not signed in" a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only (the pages keep their forms: they are Django views, not DRF), so
    # the schema documents one content type per body and generated clients build; a form
    # body is a 415 `unsupported_media_type`. DRF's parser, refusing control characters
    # in any body (clinic/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["clinic.api.parsers.JSONParser"],
    # APIClient in the tests sends what the API takes.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Per user (signed in) or per IP (anonymous), plus a ceiling per IP for everyone, so
    # that many accounts behind one address cannot multiply the user rate.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "clinic.throttling.SignedInRateThrottle",
        "clinic.throttling.IPRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="600/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        "ip": env.str("API_THROTTLE_IP", default="3000/min"),
        "login": env.str("API_THROTTLE_LOGIN", default="10/min"),
        # Writes that book, move or cancel sessions, per user (or per IP when anonymous).
        "booking": env.str("API_THROTTLE_BOOKING", default="60/min"),
    },
    # Proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR), so
    # a client cannot choose the address its throttles count against.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "clinic.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Runners' unloading massage booking API",
    "DESCRIPTION": "Book, reschedule and cancel unloading massages; race-aware availability.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several serializers have a `status`; name the session's own set once.
    "ENUM_NAME_OVERRIDES": {"SessionStatusEnum": "booking.models.Session.Status"},
    # Every operation also documents 400/401/403/404/429/503 with the error body.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinic.openapi_hooks.add_common_error_responses",
    ],
}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    # The embedded broker is a folder under var/ (git-ignored), its exchange table too
    # (kombu's default control folder is ./control); kombu creates none of them but control.
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Longer than the longest task plus its retries, so that an un-acked task of a
    # live worker is never handed to a second one.
    # Reminder retries count down at most 15 minutes (booking.reminders.tasks.RETRY_COUNTDOWNS).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Runs hourly; each clinic is scanned in the hour that is its local reminder hour.
    "cadence-scan": {"task": "booking.tasks.cadence_scan", "schedule": crontab(minute=5)},
    "appointment-scan": {
        "task": "booking.tasks.appointment_scan",
        "schedule": timedelta(minutes=15),
    },
    # Freed times whose message to the worker was lost (booking.engine.waitlist).
    "waitlist-sweep": {"task": "booking.tasks.waitlist_sweep", "schedule": timedelta(minutes=1)},
    # Hourly: each clinic's credits expire and memberships renew on its own local date.
    "expire-credits": {"task": "billing.tasks.expire_credits", "schedule": crontab(minute=10)},
    "renew-memberships": {
        "task": "billing.tasks.renew_memberships",
        "schedule": crontab(minute=15),
    },
}
# How long a waitlist offer's claim link holds (never past the offered start).
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=120)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
STAFF_SESSION_AGE = env.int("STAFF_SESSION_AGE", default=60 * 60 * 8)
# API tokens: staff's last STAFF_SESSION_AGE, runners' this long (clinic/authentication.py).
API_TOKEN_AGE = env.int("API_TOKEN_AGE", default=60 * 60 * 24 * 30)
# Signed-in devices kept per user: a new sign-in beyond this signs out the least recently
# used one, so a script that signs in on every run cannot pile up live tokens.
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=20)
# django-rest-knox: a token per sign-in, stored hashed, in our model (with its device and
# last use). No auto-refresh: like a staff session, a token ends a fixed time after
# sign-in however active (the lifetime is set per user when it is created).
KNOX_TOKEN_MODEL = "clinic.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own migrations create its table even when the model is swapped out; that unused
# table's key to clinic_user would then stop TRUNCATE (flush) of the users' table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_TTL": timedelta(seconds=API_TOKEN_AGE),
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if not SECURE_SSL_REDIRECT:
        # Turned off on purpose: TLS ends at a proxy that redirects plain HTTP itself (the
        # docker compose stack), which is what the deploy check's warning asks for. Every
        # other deploy warning still stops the web container (scripts/serve-web.sh).
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_HOST = env.str("SECURE_SSL_HOST", default="") or None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Every language cookie (the switcher's, the one set at login and on the profile) is set
# from these, through clinic.i18n.set_language_cookie where the project sets it itself.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Error reports (the e-mail to ADMINS, the debug page) leave personal data out.
ADMINS = [("Ops", a) for a in env.list("DJANGO_ADMINS", default=[])]
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.logging.PersonalDataReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "clinic.logging.PersonalDataExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler scrubs personal data (health notes) from messages and tracebacks.
    "filters": {
        "personal_data": {"()": "clinic.logging.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"handlers": ["console", "mail_admins"], "propagate": False},
    },
}

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")
