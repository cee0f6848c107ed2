"""Jurisdictions, congresses, deputies, sessions and attendance."""
