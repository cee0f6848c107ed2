"""代表联络站: liaison stations, reception days, and citizens' opinions through the seven steps."""
