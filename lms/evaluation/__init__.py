"""The anonymous module evaluation: questions as course data, answers without the person."""
