"""The hall's big screen: quorum, ballots cast, and the published result."""
