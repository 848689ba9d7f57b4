"""The site shell every area shares: language, navigation, layout, error pages."""
