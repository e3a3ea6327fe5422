"""Progress over time: what changed since a date, trend charts, readiness drift (from the revisions)."""
