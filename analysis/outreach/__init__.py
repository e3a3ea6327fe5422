"""Outreach: who the council wants to hear from, who answered, who to invite or remind, by e-mail."""
