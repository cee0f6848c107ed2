"""The public portal: home, projects, votes, statistics and open data, cached for the crowd."""
