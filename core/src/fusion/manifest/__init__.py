"""Parsed project objects (nodes, sources, exposures...) and the Manifest that holds them."""
