"""Privacy by design (DSGVO): what personal data is kept, why, how long, and how a person
gets a copy of theirs or has it erased.

Each area declares the columns of its tables beside its models (``lms/<area>/privacy.py``,
with :mod:`lms.privacy.declare`): every column is either personal, with its category,
purpose, legal basis, retention rule and what erasure does to it, or not personal, with
the reason. :mod:`lms.privacy.registry` collects the declarations (a test fails for a
column nobody classified) and prints them as the *Verzeichnis von
Verarbeitungstätigkeiten*; :mod:`lms.privacy.retention` holds the retention rules.
"""
