"""The unified catalog: typed models, registries, the spec's machine form, read API, search, buyer pages.

Above pricing and the web shell, below the areas (README, "Layout"): it imports neither an area
nor app.py. What an area shares with it (sheet columns, CatalogContext) lives here.
"""
