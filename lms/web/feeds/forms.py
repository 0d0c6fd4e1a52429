from flask_wtf import FlaskForm


class FeedActionForm(FlaskForm):
    """Create, regenerate or revoke a feed URL: nothing to fill in, but CSRF-protected."""
