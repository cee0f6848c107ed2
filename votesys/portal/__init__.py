"""The public portal: home, projects, votes, statistics and open data, cached for the crowd.

What the public reads is read in a fixed number of SQL statements whatever the row count, by
`scope` (the jurisdictions), `listing` (the project lists), `one_project` (a project's detail
and timeline) and `overview` (published votes, reception days, the opinions' figures). Every
function there returns plain data without personal data: no citizen's name or phone, no
tracking code, no account, no official's or supervising deputy's name. Pages, the open-data
API and the downloads all read through these modules.
"""
