"""The composition root: builds the whole application from its parts (issue 17, item 1).

Above everything but the CLI: it may import api/, web/ and vacancies/, and nothing imports it except
cli/, bench/, tools/ and tests/. The JSON API (api/) never imports the pages (web/); the pages build on
the API. tests/test_architecture.py holds every package to this direction.
"""
