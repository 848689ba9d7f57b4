"""People: buyers and vendors' members, their log-in and sessions."""


def init_app(app) -> None:
    from accounts import views

    views.init_app(app)
