"""`tweetsearch serve`: the web interface, a second front end over the same library as the command line.

Routes parse the request, call one library function and render its result, as a page or as its JSON twin
(`?format=json`, the same fields as the CLI's `--json`). Nothing here talks to Elasticsearch but through the
library, and nothing imports typer or rich.
"""
