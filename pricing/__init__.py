"""Units, currencies and price normalization: plain Python, no Flask."""
