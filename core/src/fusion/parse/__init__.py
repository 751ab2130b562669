"""From project files to a Manifest."""
