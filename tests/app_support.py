"""The config every test app starts from (settings.CONFIG_DEFAULTS are production's choices)."""

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    # A test sees the real exception, not the 500 page (tests of that page set it False).
    "PROPAGATE_EXCEPTIONS": True,
    # The index catches up in the committing thread, so a test can search what it just wrote.
    "SEARCH_DRAIN": "sync",
    # Background tasks run at once in the caller's thread (in their own app context); the
    # tests that start a real `flask worker` switch their app to sqlite or redis.
    "TASK_QUEUE": "immediate",
}
