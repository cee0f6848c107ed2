"""Verifiable results: the signed election record, its offline verifier, the audit chain."""
