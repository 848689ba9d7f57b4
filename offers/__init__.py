"""Vendor listings: the one input schema, sheet reading and import, the vendor's stall.

An area: imports the catalog, the shell and pricing; accounts only through `from accounts import …`.
"""
