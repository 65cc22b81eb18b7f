"""What the indexer and the search library share: settings and the connection, the errors a user can cause,
URL normalisation, the archive's records and the index's design on the server."""
