"""The `tweetsearch` command line: queries, quote checks, URL look-ups and exports over the indexed archives."""
