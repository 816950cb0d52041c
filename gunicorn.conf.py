"""Gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (what ``make run`` serves with).

Environment variables tune them without editing this file; command-line flags still win:

- ``PORT`` (5000) and ``BIND_HOST`` (127.0.0.1): where to listen, or ``BIND`` for a full address;
- ``WORKERS`` (2; also read as ``WEB_CONCURRENCY``): worker processes, about two per core;
- ``WORKER_TIMEOUT`` (60): seconds a silent worker may take before it is killed and replaced. A worker
  boots by importing ``wsgi.py``, which reads the search index before the worker accepts requests
  (``search.warm``: about 0.2 s with Whoosh at 100 000 items when the index was rebuilt by
  ``search reindex``, which saves each segment's columns; seconds for large segments that merges wrote;
  a single query with PostgreSQL), so the timeout must cover that too.

Every worker logs its requests itself (JSON lines, ``portal.logs``): gunicorn's access log stays off.
"""

import os

bind = os.environ.get("BIND") or f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2)
timeout = int(os.environ.get("WORKER_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5  # behind a load balancer that keeps connections open
# The heartbeat file on a memory file system, so a slow disk never makes a worker look silent.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented advice
# Gunicorn 27 opens a control socket in the home folder by default; several servers on one machine
# (or a read-only home) would collide on it, and nothing here uses it.
control_socket_disable = True
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "one-planet-catalogue"
