"""Default settings.

Layers, later ones winning: these defaults, ``instance/config.py`` (silent when missing), then any
``PORTAL_*`` environment variable (``PORTAL_DATABASE_URL``, ``PORTAL_INACTIVE_AFTER_DAYS``, ...; values
are parsed as JSON when they can be, so ``PORTAL_HTTPS=true`` is a boolean), then the mapping a test
passes to ``create_app``.
"""

from flask_babel import lazy_gettext as _l

# Database: SQLite under instance/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = None
# hide_parameters: a database error in the logs never shows the values (a password hash, a token).
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

# Set SECRET_KEY in instance/config.py or PORTAL_SECRET_KEY; otherwise one is generated once and
# kept in instance/secret_key so that every gunicorn worker shares it.
SECRET_KEY = None

# Serve over HTTPS: Secure cookies and HSTS.
HTTPS = False

# Number of reverse proxies (nginx, a load balancer) in front of the portal whose X-Forwarded-* headers
# to trust, so that the client's address (login throttling) and scheme are right. 0: none.
PROXY_COUNT = 0

# An item not updated for this many days is inactive and leaves public view (DESIGN.md).
INACTIVE_AFTER_DAYS = 730
# Partners are warned this many days before an item becomes inactive.
INACTIVE_WARNING_DAYS = 60

# Search (portal.search): "whoosh" keeps an index on this host's disk (SEARCH_INDEX_DIR, default under
# instance/), the embedded default; "postgresql" searches inside the PostgreSQL database of DATABASE_URL
# (rows created by the migrations, no local index, any number of hosts). Run `flask --app portal search
# reindex` once after switching.
SEARCH_BACKEND = "whoosh"
# Where the Whoosh index and uploaded files live (default: under instance/).
SEARCH_INDEX_DIR = None
# Whoosh on several hosts sharing one database (portal.search.cursor): this host's name for its
# cursor (None: the machine's name and the index folder), how long queued changes are kept for a host
# that has not applied them (then it rebuilds), how often each serving process looks at the queue
# (0: never; only writes and the command line apply it), and the processes a full rebuild indexes
# with (0: two from 5,000 items on when there are two cores).
SEARCH_HOST_ID = None
SEARCH_QUEUE_RETENTION_HOURS = 168
SEARCH_SYNC_SECONDS = 1.0
SEARCH_REBUILD_PROCS = 0
UPLOAD_DIR = None
MAX_UPLOAD_MB = 20
# Largest file /admin/import accepts (the command line takes any size).
IMPORT_MAX_MB = 10
# Largest request body that is not a file upload (a url-encoded form, an API call), and the most
# parts a multipart form may have. Werkzeug's own limit applies to multipart fields only.
MAX_FORM_MEMORY_SIZE = 500_000
MAX_FORM_PARTS = 1000

# Werkzeug's scrypt (N=32768, r=8, p=1). Tests lower N to stay fast; each hash keeps its own parameters.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password

# Login throttling, counted in the database so all workers share it (portal.catalogue.logins), over a
# window of LOGIN_THROTTLE_MINUTES: one account from one address, then one address, wait after so many
# failures; failures on one account from all addresses only slow its logins down (never a lockout)
# and mail its owner, once per window.
LOGIN_THROTTLE_MINUTES = 15
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_FAILURES_BEFORE_SLOWDOWN = 10
LOGIN_SLOWDOWN_SECONDS = 1.0

# Login sessions end on the server when idle this long (staff: moderators and admins), and in any case
# SESSION_LIFETIME_HOURS after the login. Their last use is written at most every SESSION_TOUCH_SECONDS.
# `flask --app portal sessions purge` (cron) deletes ended sessions and old login failures.
SESSION_IDLE_MINUTES_STAFF = 30
SESSION_IDLE_MINUTES_PARTNER = 120
SESSION_LIFETIME_HOURS = 12
SESSION_TOUCH_SECONDS = 60

# Password reset links are valid this long, and once (portal.catalogue.resets); an account gets at most
# PASSWORD_RESET_MAILS_PER_HOUR of them, an address may ask PASSWORD_RESET_RATE_LIMIT (Flask-Limiter).
PASSWORD_RESET_MINUTES = 60
PASSWORD_RESET_MAILS_PER_HOUR = 3
PASSWORD_RESET_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 - a rate, not a password

# Rate limits (Flask-Limiter: the API, password reset requests). "database://" counts in the portal's
# own database, shared by every worker and host (portal.ratelimit); "memory://" counts per worker process.
# None: "database://" on PostgreSQL, "memory://" on the embedded SQLite database.
RATELIMIT_STORAGE_URI = None
RATELIMIT_DEFAULT = "600 per minute"
RATELIMIT_HEADERS_ENABLED = True

# Mail: SMTP when MAIL_SERVER is set, otherwise messages wait in the outbox (/admin/outbox).
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_SENDER = "One Planet Catalogue <no-reply@oneplanet.example.org>"
MAIL_TIMEOUT = 10

# The desk's due-diligence checklist for admission to a portfolio as "Affiliated".
DUE_DILIGENCE_CHECKS = [  # labels read in the interface language (set from the environment: as given)
    ("organisation_verified", _l("Organisation verified")),
    ("aligned_with_objectives", _l("Aligned with the programme's objectives")),
    ("information_complete", _l("Information complete and accurate")),
    ("no_conflict_of_interest", _l("No conflict of interest")),
]

# Anonymous pages made from the search index alone, kept per process by index generation, day,
# language and URL (portal.views.caching), in megabytes.
PAGE_CACHE_MB = 16

# Reporting.
REPORTING_TARGET_RATE = 0.75
REPORTING_YEAR_START_MONTH = 1
REMINDER_INTERVAL_DAYS = 7
# A dashboard whose data changed is shown as it was while a thread of the process computes the new one
# (seconds at 100 000 items); False recomputes it inside the request (the tests' setting).
REPORTING_REFRESH_IN_BACKGROUND = True

# The licence of the catalogue's metadata, as the API, DCAT and datapackage.json state it: (name, address).
DATA_LICENSE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")

# OAI-PMH (/oai): the address harvesters' operators write to, and how long a resumption token lasts.
OAI_ADMIN_EMAIL = "catalogue@oneplanet.example.org"
OAI_TOKEN_HOURS = 24
# DCAT (/catalog.ttl, /catalog.jsonld): items per page (rdflib takes about 0.6 s for 250 here).
DCAT_PAGE_SIZE = 250

SITE_NAME = "One Planet Catalogue"
# The portal's address: every absolute link (API, feeds, sitemap, CSV, mails, command line) starts with
# it, never with the Host header a client sent (portal.links). Set it in production.
BASE_URL = "http://127.0.0.1:5000"
# Host names the portal answers to; a request for any other host gets a 400 (Host header attacks,
# DNS rebinding). None: the host of BASE_URL, localhost and 127.0.0.1. [] answers any host.
# A name starting with a dot also accepts its subdomains (".example.org").
TRUSTED_HOSTS = None

# Logs: JSON lines on stderr with the request id (portal.logs); DEBUG, INFO, WARNING or ERROR.
LOG_LEVEL = "INFO"

WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# PERMANENT_SESSION_LIFETIME (the cookie's) follows SESSION_LIFETIME_HOURS; with HTTPS the cookie is
# named __Host-session (Secure, Path=/, no Domain: no other site or subdomain can set it).
