"""The search library: the query language, searches, quote verdicts, counts, look-ups, exports and citations.

No front end in it (no typer, no rich): the command line (`search_cli`) and any other front end call these
functions and render what they return.
"""
