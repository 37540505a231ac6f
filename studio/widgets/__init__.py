"""The studio's widgets, one per module."""
