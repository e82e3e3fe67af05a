"""gunicorn settings for production and for `make load`; each can be set from the environment.

Sync workers: the app is CPU-bound Python with short database calls, so one process per
core plus a spare keeps both cores busy; more workers only add context switches. The
requests' database connections are reused (CONN_MAX_AGE) and health-checked.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer is killed and logged: nothing here should take 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never builds up; jitter so not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Behind the proxy that terminates TLS (SECURE_PROXY_SSL_HEADER trusts its header).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27 opens a control socket under $HOME by default: nothing here uses it, and two
# servers on one machine (a load run beside another) would fight over its one path.
control_socket_disable = True
