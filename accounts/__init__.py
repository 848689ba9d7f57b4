"""People: buyers and vendors' members, their log-in and sessions."""
