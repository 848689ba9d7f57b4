"""Units, currencies and price normalization: plain Python, no Flask, nothing else of ours (the bottom layer)."""
