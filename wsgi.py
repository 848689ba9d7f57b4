"""The WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app

app = create_app()
# Behind N trusted proxies (a load balancer), take the client address and scheme from their headers.
if hops := app.config["PROXY_HOPS"]:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
