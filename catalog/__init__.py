"""The unified catalog: schema, registries, search index."""
