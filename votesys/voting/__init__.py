"""Candidates, votes, the roll, anonymous ballots, the tally, runoffs and paper entry."""
