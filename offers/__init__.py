"""Vendor listings: the one input schema, sheet reading and import."""
