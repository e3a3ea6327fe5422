"""Deployment: the nginx site, a systemd unit and a local try-out (``python -m deploy.local``)."""
