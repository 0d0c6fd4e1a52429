"""Announcements to a cohort: shown on the participants' start page until they expire,
mailed in each recipient's language, kept in a list."""
