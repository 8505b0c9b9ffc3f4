"""Settings shared by every environment. Environment variables override the embedded defaults."""

import datetime
import os
from pathlib import Path

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from config.database import database_settings, replica_settings
from config.email import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-jiyue")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h]

# --- Apps: django-tenants wants both lists spelled out; INSTALLED_APPS is derived. ---
SHARED_APPS = [
    "django_tenants",
    "config.replica",  # each site's last write position, for reads from a replica (public only)
    "tenants",
    "tenants.glossary",  # the protected proper nouns of the 繁體 conversion (console)
    "tenants.incidents",  # 网站安全事件: the emergency plan's intake and steps (Z1)
    # auth, sessions and admin live in the public schema too: console accounts are there.
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # django-csp: the {% script %} tag and its checks (the middleware is in security)
    # Security (issue 4): the audit trail lives in the public schema only; security and
    # django-otp are in both lists because console accounts (public) need 2FA devices and
    # lockouts too.
    "security.audit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_ratelimit",
    "security",
    "security.screening",  # 错敏词: the platform's dictionaries here, each site's in its schema
    # Federation: the public-schema apps that cross sites (DESIGN.md).
    "federation.library",
    "federation.search",
    "federation.syndication",
    "federation.casework",
    "federation.monitoring",
    "federation.onestop",  # the one-stop hall, applications and S5 figures (issue 14)
    "federation.letters",  # mailboxes, 找错, 依申请公开 on the case machine (issue 15)
]

TENANT_APPS = [
    # Auth must be a tenant app as well, or Wagtail's migrations fail (STACK-NOTES).
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "shared_blocks",
    "sites.core",
    "pagecache",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "security",
    "security.screening",
    "sites.disclosure",
    "sites.syndicated",
    "sites.presentation",
    # English and Mongolian page trees where a site enables them (registry: languages).
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales: the admin's 语言 settings
    "sites.welfare",  # agricultural feeds, investment notices (W1–W3)
    "sites.services",
    "sites.interaction",  # board, surveys, interviews, consultation (issue 15)
]

INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Website"
# What every new site is made of, in this order: each step runs in the new site's schema,
# inside provisioning's transaction, with the site's registry entry (tenants.services).
SITE_PROVISIONING_STEPS = [
    "sites.core.provisioning.build_site_content",  # home page, columns, Site row, identity
    "security.roles.ensure_site_roles",  # role groups, with their grants on the home page
    "sites.disclosure.provisioning.build_disclosure_content",  # review workflows, catalogue
    "sites.services.provisioning.ensure_services_index",  # 网上办事 at /wsbs/
]
# What a site's backup holds beyond its schema, media and audit chain (tenants.backup): modules
# of apps above tenants keeping site data in the public schema, each with backup(website,
# folder) and restore(website, folder, *, from_schema, copy).
SITE_BACKUP_PARTS = ["federation.casework.backup"]  # its cases, tasks, steps and files
# The demo city (manage.py seed_demo, data files in tenants/demo/): the page types its files may
# use, from the apps that own them; then what runs once every site has its pages, in this order
# (each called with no arguments, idempotent).
DEMO_PAGE_TYPES = [
    "sites.core.demo.PAGE_TYPES",
    "sites.disclosure.demo.PAGE_TYPES",
    "sites.services.demo.PAGE_TYPES",
    "sites.interaction.demo.PAGE_TYPES",  # the portal's 互动交流 pages (federation.letters.demo)
]
# Run in each demo site's schema before its pages (website → None, idempotent): sections a
# site made before an app existed gets now.
DEMO_SITE_PREPARERS = ["sites.services.provisioning.ensure_services_index"]
DEMO_CITY_SEEDERS = [
    # the portal's English and Mongolian versions, written live before the library projects
    "sites.presentation.demo.seed_languages",
    "sites.welfare.demo.seed_tags",  # theme tags the library's projection reads
    "federation.library.demo.seed",  # one projection per site of the pages written in bulk
    "federation.search.demo.seed",  # the search index, built once
    "federation.syndication.demo.seed",  # subscriptions, offers, a push-down, a broadcast
    "sites.welfare.demo.seed",  # feeds on a district, channels, commerce notices (published)
    "security.screening.demo.seed",  # 错敏词: the platform's dictionary and a district's
    "federation.onestop.demo.seed",  # life events; a few applications in different states
    "federation.letters.demo.seed",  # board, surveys, interview, FAQ; letters in every state
    "sites.presentation.demo.seed",  # identities: theme, favicon, the portal's header image
    "tenants.incidents.demo.seed",  # a handled defacement incident, waiting to be closed
    # last: the scorecards read everything above (services, letters, identities)
    "federation.monitoring.demo.seed",  # visits, a stale column, every site's scorecard
]
# The life events a service item may name (sites.services): the portal's editable list.
SERVICE_LIFE_EVENT_CHOICES = "federation.onestop.services.life_event_names"
TENANT_DOMAIN_MODEL = "tenants.Domain"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
# New sites are cloned from this schema instead of running every migration (~1 s vs ~7 s).
TENANT_BASE_SCHEMA = "site_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Django's migrate without rendering models for the migrations a schema has no work in (the
# public schema's Wagtail ones, the sites' shared-app ones): the public schema's first migrate
# in a third of the CPU, same tables (tenants.migrate_command).
TENANT_BASE_MIGRATE_COMMAND = "tenants.migrate_command.Command"
# Copies of the template made ahead and renamed into new sites (tenants.spares): provisioning
# then costs the same at 1,000 sites as at 1. Refilled by setup_platform and the sweep.
TENANT_SPARE_SCHEMAS = int(os.environ.get("TENANT_SPARE_SCHEMAS", "3"))
# Site schemas migrated at once by setup_platform (tenants.migrating); 0: half the cores.
TENANT_MIGRATION_PROCESSES = int(os.environ.get("TENANT_MIGRATION_PROCESSES", "0"))
# How long a site's migration waits for a table another transaction holds (PostgreSQL's
# lock_timeout; "" waits for ever). Waiting, it queues every later query on that table behind
# it, so the site's pages stall; past the bound the site fails by name, the others go on, and
# a re-run of setup_platform completes it.
TENANT_MIGRATION_LOCK_TIMEOUT = os.environ.get("TENANT_MIGRATION_LOCK_TIMEOUT", "10s")
# Set the search_path once per connection and schema switch, not before every query (which
# doubles the query count of every page).
TENANT_LIMIT_SET_CALLS = True
# The host of the platform console (the public schema). `.localhost` works in browsers.
CONSOLE_HOST = os.environ.get("CONSOLE_HOST", "console.localhost")
# V4: only .gov.cn / .cn domains, unless a demo or development setting allows .localhost.
ALLOW_LOCALHOST_DOMAINS = env_bool("ALLOW_LOCALHOST_DOMAINS", False)

MIDDLEWARE = [
    # Security and static files first: neither touches the database, so static files and
    # cached pages are served before the tenant's domain lookup (the one query per request).
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 繁體 at /zh-hant/…: the path is the Simplified page's, the page cache keys the copy apart.
    "sites.presentation.middleware.TraditionalPrefixMiddleware",
    # Visit counts (federation.monitoring): above the page cache, so cached hits count too.
    "federation.monitoring.visits.VisitCounterMiddleware",
    "pagecache.middleware.PageCacheMiddleware",
    "tenants.middleware.WebsiteMiddleware",
    # …and the Simplified render converted (OpenCC) inside the cache: a hit costs no conversion.
    "sites.presentation.middleware.TraditionalConversionMiddleware",
    # CSP (django-csp, with the admin's own policy) high up: every page below it gets one,
    # including the security pages the middleware further down answer with (429, 503).
    "security.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sites.core.middleware.PlatformLanguageMiddleware",  # zh-Hans, never Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session names the django-otp device that verified it.
    "django_otp.middleware.OTPMiddleware",
    # django-axes: its lockout response (ours: the page as rendered, which says why).
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Security (issue 4): who/IP for the audit trail, idle timeout, 2FA, read-only mode,
    # rate limits, Permissions-Policy.
    "security.audit.middleware.AuditContextMiddleware",
    "security.middleware.IdleTimeoutMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "security.middleware.ReadOnlyModeMiddleware",
    "security.middleware.RateLimitMiddleware",
    "security.middleware.LoginThrottleMiddleware",
    "security.middleware.PermissionsPolicyMiddleware",
    "tenants.middleware.SiteRedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "tenants.context_processors.website",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": database_settings(BASE_DIR)}
# A streaming replica for public reads (config.replica); nothing changes without one.
if _replica := replica_settings(DATABASES["default"]):
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ("config.replica.PrimaryReplicaRouter", *DATABASE_ROUTERS)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("tenants.middleware.WebsiteMiddleware") + 1,
        "config.replica.ReplicaReadMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# The 繁體 conversion's protected proper nouns (operator's dictionary, public schema).
TRADITIONAL_PROTECTED_TERMS = "tenants.glossary.services.protected_terms"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("mn", "Монгол"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our own zh-Hans strings where Wagtail's catalogue lacks them (locale/zh_Hans, .mo committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
WHITENOISE_USE_FINDERS = True  # serve app static files even before collectstatic (dev, tests)
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files land under MEDIA_ROOT/tenants/<schema>/…: one site's upload is never another's path.
MULTITENANT_RELATIVE_MEDIA_ROOT = "tenants/%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cache: keys always carry the schema, or Wagtail's site-root cache leaks between sites.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "jiyue",
            # Per-site entries (Wagtail's site-root paths, settings…) for every site a worker
            # serves: at Django's default of 300, requests going round 1,000 sites missed them
            # all (uncached home p95 ×1.38 against one site, in CPU too; ×1.01 at 20,000).
            "OPTIONS": {"MAX_ENTRIES": 20000},
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }

# Rate-limit counters (security.middleware.RateLimitMiddleware, django-ratelimit) must be
# shared by every web process, or each gunicorn worker grants the whole budget again: Redis
# when REDIS_URL is set, otherwise counters in PostgreSQL (security/counters.py). Both
# increment atomically.
CACHES["ratelimit"] = {
    "BACKEND": (
        "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "security.counters.RequestCounterCache"
    ),
    "LOCATION": REDIS_URL,
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}
RATELIMIT_USE_CACHE = "ratelimit"
# django-ratelimit's check knows neither Django's own RedisCache nor ours (W001 "not
# officially supported"); it still refuses caches it knows to be unshared or non-atomic (E003).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Page cache (pagecache): anonymous pages per site, purged exactly on change.
# Its own alias, shared by every process that serves pages or purges them (gunicorn
# workers, Celery workers): Redis when REDIS_URL is set, otherwise files under var/ (a
# per-process locmem would leave other workers serving a purged page). Keys carry the
# schema explicitly: the lookup happens before the tenant is chosen.
PAGECACHE_ENABLED = env_bool("PAGECACHE", True)
PAGECACHE_TIMEOUT = int(os.environ.get("PAGECACHE_TIMEOUT", "3600"))
# Query parameters that may vary a cached page (name → full-match pattern of the value).
# Any other parameter (a search term, a cache-buster) means "render, don't store".
PAGECACHE_QUERY_PARAMS = {"page": r"[1-9]\d{0,3}"}
if REDIS_URL:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "jiyue-pages",
    }
else:
    CACHES["pages"] = {
        "BACKEND": "pagecache.filecache.PageFileCache",
        "LOCATION": os.environ.get("PAGECACHE_DIR", str(BASE_DIR / "var" / "cache" / "pages")),
        "KEY_PREFIX": "jiyue-pages",
        # The backend culls a third of its files beyond this (counted every 100th store of a
        # process, pagecache/filecache.py): a bound on disk use.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGECACHE_MAX_ENTRIES", "20000"))},
    }

# --- Sessions: host-only cookies, one session table per schema. A login is worth
# nothing on another site: its cookie is not sent there, and its key is not found there.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "jiyue_session"
LOGIN_URL = "/admin/login/"

# --- Wagtail ---
WAGTAIL_SITE_NAME = "集约"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# Page trees per language (V5): Simplified Chinese is the default; English and Mongolian trees
# exist where a site's registry entry enables them (wagtail-localize in the admin). 繁體 is
# not a tree: it is converted on the fly (sites.presentation), so it is no content language.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English"), ("mn", "Монгол")]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {
    # Wagtail's PostgreSQL backend without its whole-index pass per save (config/search_index.py).
    "default": {"BACKEND": "config.search_index", "SEARCH_CONFIG": "simple"}
}
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests from a government admin
# A completed review workflow publishes; no reviewer needs (or gets) publish permission (I4).
WAGTAIL_FINISH_WORKFLOW_ACTION = "sites.disclosure.approval.publish_approved"
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Celery: tasks carry their schema (tenant-schemas-celery). With no broker they run
# in-process, after the transaction that sent them commits.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 1
CELERY_TASK_ACKS_LATE = False
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: every task then paid a new PostgreSQL backend (fork, authentication, catalog
# caches built again), one per syndicated copy's delivery. Reused like a web process's
# connections instead: config.celery closes them after a task by Django's own rule
# (CONN_MAX_AGE, or unusable after an error), and the fixup only every this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs. With a broker, beat sends them; without one, every web process runs them
# in a thread (config.periodic), one process at a time per entry. Scheduled publishing and
# expiry (I4) first: SCHEDULED_PUBLISHING_INTERVAL seconds (60).
SCHEDULED_PUBLISHING_INTERVAL = int(os.environ.get("SCHEDULED_PUBLISHING_INTERVAL", "60"))
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "tenants.publish_scheduled_all_sites",
        "schedule": float(SCHEDULED_PUBLISHING_INTERVAL),
    },
    # tenants.spares: the template's copies new sites are renamed from, kept ready.
    "replenish-spare-schemas": {"task": "tenants.replenish_spares", "schedule": 60.0},
}

# --- Mail (issue 13): EMAIL_URL (smtp:// or smtps://, config/email.py); without it, each
# message is written under var/mail/<site schema>/ and listed in that site's admin (邮件).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@jiyue.localhost")
for _name, _value in email_settings(
    os.environ.get("EMAIL_URL", ""), BASE_DIR / "var" / "mail"
).items():
    globals()[_name] = _value

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"jiyue": {"level": "INFO"}},
}

# The port in each site's Wagtail `Site` row (what full URLs carry): 80 behind a proxy,
# the dev server's port in development and the demo.
SITE_PUBLIC_PORT = int(os.environ.get("SITE_PUBLIC_PORT", "80"))


# --- Security (issue 4) --------------------------------------------------------------
# Audit records: kept at least 184 days (Cybersecurity Law art. 21: six months); the purge
# command refuses anything younger. The chain's HMAC key should be set on its own and never
# rotated with SECRET_KEY, or old records stop verifying (verify_audit names the key it uses).
AUDIT_RETENTION_DAYS = max(184, int(os.environ.get("AUDIT_RETENTION_DAYS", "184")))
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
# Behind nginx the client address is in X-Forwarded-For (set by our proxy only).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Login lockout (ASVS 2.2.1) through django-axes (security/lockout.py): 5 failures lock the
# account from that address, and separately the address, until 15 minutes pass without one; an unlock by
# a webmaster lifts it. Failures are rows in each schema (per site), shared by every process.
AUTHENTICATION_BACKENDS = [
    "security.lockout.LockoutBackend",  # axes' refusal of a locked sign-in, first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
# An account from one address, and an address: never an account everywhere (a weapon);
# security.lockout slows down an account attacked from many addresses instead.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "security.lockout.normalised_username"
AXES_CLIENT_IP_CALLABLE = "security.audit.context.client_ip"  # X-Forwarded-For only if trusted
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused while locked: not a new failure
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail already
AXES_SENSITIVE_PARAMETERS = ["password", "code"]  # never store a password or a 2FA code guess
AXES_VERBOSE = False
# TOTP is required for webmasters and console operators (optional for everyone else).
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
# django-otp (security.twofactor): after each wrong code a device refuses the next for 1, 2,
# 4, 8 … seconds (its throttle), on top of the lockout that five wrong codes bring.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Authenticator keys are sealed at rest (security/sealing.py) with keys derived from
# these, the first sealing, every one unsealing (comma-separated; a new key goes first, the
# old stays until `manage.py reseal_two_factor` has run in every schema). Unset: derived from
# SECRET_KEY and SECRET_KEY_FALLBACKS, so rotating SECRET_KEY the Django way keeps them.
TWO_FACTOR_KEYS = [k for k in os.environ.get("TWO_FACTOR_KEYS", "").split(",") if k.strip()]
# Admin and console sessions end after 30 minutes without a request (ASVS 3.3.2).
ADMIN_IDLE_TIMEOUT = 30 * 60
SESSION_COOKIE_AGE = 12 * 60 * 60
WAGTAILADMIN_USER_LOGIN_FORM = "security.forms.LockoutLoginForm"
# Rate limits (requests, seconds) per client address and site, counted by django-ratelimit in
# the "ratelimit" cache (above: shared by every process); its key function carries the schema,
# so one site's visitors never use up another's budget.
# Search: an office, school or library searches from one NAT address, so the budget is per
# minute for a whole room (SEARCH_RATE_LIMIT, requests a minute; the API answers 429 in JSON).
RATE_LIMITS = {
    "login": (20, 60),
    "search": (int(os.environ.get("SEARCH_RATE_LIMIT", "300")), 60),
    "form": (10, 60),
    # Other systems reading the library (/api/library/): per address, a minute.
    "api": (int(os.environ.get("API_RATE_LIMIT", "120")), 60),
    # Wrong tracking number / query code pairs (federation.casework): guessing is slowed down.
    "case_query": (10, 3600),
}
# Uploads: what a government site publishes, nothing executable or scriptable (no SVG).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "ofd",
    "doc",
    "docx",
    "wps",
    "xls",
    "xlsx",
    "et",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "txt",
    "csv",
    "rtf",
    "zip",
    "rar",
    "7z",
    "jpg",
    "jpeg",
    "png",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILDOCS_DOCUMENT_FORM_BASE = "security.forms.LimitedDocumentForm"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644
# Response headers on every answer. CSP through django-csp (security/csp.py), one policy per
# area; a per-request nonce is added to script-src when a template uses it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
_CSP_COMMON = {
    "default-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
    "connect-src": [SELF],
    "font-src": [SELF],
    "media-src": [SELF],
}
# Public pages and the console: no inline script, ever, but one a template marks with the
# request's nonce. (The page cache never stores a page whose policy carries a nonce.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": _CSP_COMMON
    | {
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "frame-src": [SELF, "https:"],  # embedded videos and maps in articles
    }
}
# A site's Wagtail admin: the tightest under which Wagtail 8's admin works, found by driving
# it in Chromium (tests/e2e/test_csp.py fails on any violation). Scripts: our origin, plus the
# nonce on the inline scripts Wagtail renders (date/time widgets, inline panels, choosers:
# security/csp.py says where each gets it). Styles also inline: the rich text editor (vendor.js)
# inserts <style> elements and style attributes; with images, fonts and connections limited to
# our origin, injected CSS has nowhere to send what it reads.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": _CSP_COMMON
    | {
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF],
        "frame-src": [SELF],  # the preview panel
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# --- Cases (federation.casework): applicants' files, outside MEDIA_ROOT (never served
# directly), and the size of one upload.
CASEWORK_FILES_ROOT = Path(os.environ.get("CASEWORK_FILES_ROOT", BASE_DIR / "var" / "casework"))
CASEWORK_MAX_UPLOAD_SIZE = int(os.environ.get("CASEWORK_MAX_UPLOAD_SIZE", 20 * 1024 * 1024))
# The key query codes are hashed with (set it once, never rotate it with SECRET_KEY, or the
# codes already given to applicants stop working); unset: SECRET_KEY.
CASEWORK_HMAC_KEY = os.environ.get("CASEWORK_HMAC_KEY", "")
# --- Survey exports (sites.interaction.exports): an XLSX of more responses than this is built
# by a task into the site's own folder under INTERACTION_EXPORTS_ROOT (outside MEDIA_ROOT).
SURVEY_XLSX_INLINE_MAX = int(os.environ.get("SURVEY_XLSX_INLINE_MAX", 5000))
INTERACTION_EXPORTS_ROOT = Path(
    os.environ.get("INTERACTION_EXPORTS_ROOT", BASE_DIR / "var" / "exports")
)
# Backups: where backup_site writes archives by default.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
# --- Cross-site search (federation.search): PostgreSQL full text over jieba terms by default;
# Elasticsearch when ELASTICSEARCH_URL is set (or FEDERATION_SEARCH_BACKEND says so).
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
FEDERATION_SEARCH_BACKEND = os.environ.get(
    "FEDERATION_SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "postgres"
)
# The alias searches read; each rebuild makes a new versioned index behind it.
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "jiyue-library")
# Short: a slow cluster must not hold a worker (the outbox retries), let alone a request.
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "3"))

# --- The library's outbox sweep (federation.library): re-sends rows whose task never ran.
CELERY_BEAT_SCHEDULE |= {
    "library-sweep-outbox": {"task": "library.sweep_outbox", "schedule": 30.0},
    # …and the steps of its consumers (search, syndication) a crash or an outage left pending.
    "library-sweep-consumers": {"task": "library.sweep_consumers", "schedule": 30.0},
    "library-prune-outbox": {"task": "library.prune_outbox", "schedule": 86400.0},
    # federation.syndication: re-sends deliveries (copies on receiving sites) never made.
    "syndication-sweep-deliveries": {"task": "syndication.sweep_deliveries", "schedule": 30.0},
    # A broadcast starting or ending changes every cached page of every site.
    "syndication-broadcast-boundaries": {
        "task": "syndication.broadcast_boundaries",
        "schedule": 15.0,
    },
    # audit: every chain verified daily; the outcome is recorded and shown on the console.
    "audit-verify-chains": {"task": "audit.verify_chains", "schedule": 86400.0},
    # sites.core.deadlines: pages going offline within three days, mailed once (issue 13).
    "mail-deadlines": {"task": "tenants.mail_deadlines_all_sites", "schedule": 3600.0},
    # federation.casework: tasks near or past their deadline, mailed once each (hourly).
    "casework-mail-deadlines": {"task": "casework.mail_deadlines", "schedule": 3600.0},
    # Agricultural feeds (sites.welfare): each source has its own interval; this looks for due ones.
    "welfare-import-feeds": {"task": "welfare.import_feeds_all_sites", "schedule": 300.0},
    # federation.onestop: uploads held for an application form abandoned for a day.
    "onestop-sweep-pending": {"task": "onestop.sweep_pending", "schedule": 3600.0},
}
# Shared resources (P5) in the shared_document / shared_image blocks. The blocks are below the
# app that keeps the registry (federation.syndication) and reach it through these names:
# "choices": kind ("document"/"image") → [(id, label)]; "get": id → the resource, or None.
SHARED_RESOURCES = {
    "choices": "federation.syndication.sharing.choices",
    "get": "federation.syndication.sharing.get_resource",
}
# Theme channels (sites.welfare): the library query they read, and what tags add to an item's
# projection (federation.library.projection calls each with the page).
WELFARE_THEME_ITEMS = "federation.library.queries.tagged_items"
LIBRARY_PROJECTION_EXTRAS = ["sites.welfare.themes.projection"]
# A site's large outbox backlog (a resync, an import) is worked by up to this many tasks at once
# (federation.library.services.site_tasks_for): the worker's processes, 2 as `make run` starts it.
LIBRARY_TASKS_PER_SITE = max(1, int(os.environ.get("LIBRARY_TASKS_PER_SITE", "2")))
# Portal roles (security.roles) that curate offers, push down and broadcast.
SYNDICATION_CURATOR_GROUPS = ("市级编审", "网站管理员")
# The portal column a district's news offered to the portal lands in unless the curator picks
# another (区县动态; the demo makes it).
SYNDICATION_DISTRICT_NEWS_COLUMN = "qxdt"
# Emergency information (I5): the warning levels whose fast-path release raises the city-wide
# banner at once (red, orange, yellow, blue); any other level asks the portal to approve it.
EMERGENCY_BANNER_AUTO_LEVELS = tuple(
    filter(None, os.environ.get("EMERGENCY_BANNER_AUTO_LEVELS", "red").split(","))
)

# --- Monitoring and evaluation (federation.monitoring, issue 16: T2, O4) ----------------------
# The scorecard's indicators (import strings of classes; docs/monitoring.md has the interface).
# Other areas append theirs (onestop: service guides; interaction: unanswered letters).
SCORECARD_INDICATORS = [
    "federation.monitoring.builtin.HomeFreshness",
    "federation.monitoring.builtin.ColumnStaleness",
    "federation.monitoring.builtin.EmptyColumns",
    "federation.monitoring.builtin.UndatedItems",
    "federation.monitoring.builtin.Availability",
    "federation.monitoring.builtin.BrokenLinks",
    "security.screening.scan.ContentSafety",  # 错敏词 (issue 18): open serious findings are a veto
    "sites.services.indicators.IncompleteServiceGuides",  # a live guide missing a required part
    "federation.letters.indicators.UnansweredMessages",  # a valid letter unanswered over 3 months
    "sites.presentation.navigation.PageDepth",  # pages too many clicks from home (issue 17)
]
# Entry points probed on every site, (name, path), the home page first; a 404 on any but the
# home page means "this site has none". Others append theirs (/wsbs/, mailboxes, the board).
PROBE_ENTRY_POINTS = [
    ("首页", "/"),
    ("站内搜索", "/search/"),
    ("信息公开目录", "/zwgk/catalogue/"),
    ("网上办事大厅", "/wsbs/"),
    ("信箱", "/xinxiang/"),
]
# The server the platform runs, as probes and link checks reach it (the site's domain goes in
# the Host header). Unset: each site's public address (its primary domain, via DNS).
MONITORING_BASE_URL = os.environ.get("MONITORING_BASE_URL", "")
MONITORING_PROBE_CONCURRENCY = int(os.environ.get("MONITORING_PROBE_CONCURRENCY", "64"))
# Checking links to hosts outside the platform: OFF here (dev, demo, tests and CI have no
# outside network, and nothing run here may send traffic out); production.py turns it on.
MONITORING_CHECK_OUTBOUND = env_bool("MONITORING_CHECK_OUTBOUND", False)
MONITORING_LINKCHECK_CONCURRENCY = int(os.environ.get("MONITORING_LINKCHECK_CONCURRENCY", "16"))
MONITORING_LINKCHECK_TIMEOUT = float(os.environ.get("MONITORING_LINKCHECK_TIMEOUT", "10"))
MONITORING_LINKCHECK_MAX_PAGES = int(os.environ.get("MONITORING_LINKCHECK_MAX_PAGES", "2000"))
# Seconds between two requests to one host outside the platform (a polite crawler).
MONITORING_LINKCHECK_HOST_INTERVAL = float(
    os.environ.get("MONITORING_LINKCHECK_HOST_INTERVAL", "1")
)
# What explains a home page change (callables (website, since) -> bool), and who hears of a
# change nothing explains (callables (alert), e.g. the emergency plan's intake, Z1).
MONITORING_CHANGE_EXPLAINERS = [
    "federation.monitoring.probes.page_activity",
    "federation.monitoring.probes.broadcast_activity",
]
MONITORING_ALERT_RECEIVERS = ["tenants.incidents.intake.from_monitoring_alert"]
# The municipal office: portal roles that see every site's scorecard (各网站排名).
MONITORING_OFFICE_GROUPS = ("市级编审", "网站管理员")
# Probes at least 20 times a day (every 30 minutes: 48); scorecards and link checks daily.
MONITORING_PROBE_INTERVAL = float(os.environ.get("MONITORING_PROBE_INTERVAL", "1800"))
CELERY_BEAT_SCHEDULE |= {
    "monitoring-probe-round": {
        "task": "monitoring.probe_round",
        "schedule": MONITORING_PROBE_INTERVAL,
    },
    "monitoring-link-checks": {"task": "monitoring.link_check_all_sites", "schedule": 86400.0},
    "monitoring-scorecards": {"task": "monitoring.scorecards_all_sites", "schedule": 86400.0},
    "monitoring-flush-visits": {"task": "monitoring.flush_visits", "schedule": 60.0},
}
