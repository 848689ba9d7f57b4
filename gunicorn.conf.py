"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, cores + 1 of them: a request is a few milliseconds of CPU in Python and well
under one of waiting on PostgreSQL, so one process per core keeps the CPU busy and one more
covers the waits. Not the usual 2 x cores + 1: each worker keeps its own search answers,
listed offers and their rendered rows (catalog/offer_records.py), and fewer workers keep
them warmer. Measured on 2 cores (bench/results/load.md): 2, 3, 4 and 5 workers served the
mixed load at 404, 361, 331 and 314 req/s, using 4.4, 4.9, 5.3 and 5.6 ms of app CPU a
request. Three, not two, so one slow request (a 5,000-row CSV export) leaves two to serve.
Every setting can be overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound; jitter keeps them
# from all restarting at once. Not too often: a new worker spends ~2 s of CPU loading the
# search snapshot and jieba before its first answer (at 100k offers); every 5,000 requests
# that was ~8% of the CPU under load, every 20,000 it is ~2%.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# Our own JSON line per request (web/request_log.py) replaces gunicorn's access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The app is built in each worker after the fork (no preload): no database connection or
# search-index handle is ever shared between processes.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = [f"APP_ENV={os.environ.get('APP_ENV', 'production')}"]
