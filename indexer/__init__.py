"""Reading Twitter's information-operations archives and loading them into Elasticsearch."""
