"""Price alerts: a buyer waits for a GPU or token model to cost at most a price, and is told, in the app and by
email, once each time it does. Checked from the index outbox after every offer change (alerts/checker.py),
so no writer of offers calls anything.

An area: imports the catalog, the shell, the base and accounts (through its package).
"""

from flask import Flask


def unread_count() -> int:
    """The signed-in user's unread alert notifications (0 for a visitor): the nav's badge."""
    from flask_login import current_user
    from sqlalchemy import func, select

    from alerts.models import AlertNotification
    from extensions import db

    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(AlertNotification).where(
        AlertNotification.user_id == current_user.id, AlertNotification.read_at.is_(None))) or 0


def init_app(app: Flask) -> None:
    from alerts import tasks, views  # noqa: F401 (tasks: the check and the mail on the queue)
    from web.nav import add_nav, add_nav_badge

    app.register_blueprint(views.bp)
    add_nav(app, 60, "alerts.alerts", "My price alerts")
    add_nav_badge(app, "alerts.alerts", unread_count)
    tasks.init_app(app)

