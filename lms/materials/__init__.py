"""Course materials: files and links of a module or meeting, released to the cohort at a
chosen time, versioned, withdrawable; and the course's standing materials."""
