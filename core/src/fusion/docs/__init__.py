"""``fusion docs``: the warehouse catalog (catalog.json) and the documentation site served from target/."""
