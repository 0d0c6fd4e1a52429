"""Other systems' access to lms: API tokens (and the webhooks they are told through)."""
