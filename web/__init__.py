"""The site shell every area shares: language, navigation, layout, error pages, formatting, health, page cache.

At the bottom with pricing: it imports no area. Areas extend it at init_app (add_nav, add_paths,
add_check) and hand it what it shows (the catalog's registries, the catalog's version).
"""
