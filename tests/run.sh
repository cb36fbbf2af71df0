#!/usr/bin/env bash
# The test command (README): lint and type-check, then the whole suite against a real Elasticsearch.
# Starts the local Elasticsearch of tests/elasticsearch/run_es.sh unless STELLEN_TEST_ELASTICSEARCH_URL
# points at one already; the Elasticsearch tests then fail, never skip, if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

ruff check .
ruff format --check .
mypy  # the packages of pyproject's [tool.mypy] files: a type error fails the test command

started_es=""
if [ -z "${STELLEN_TEST_ELASTICSEARCH_URL:-}" ]; then
  if STELLEN_TEST_ELASTICSEARCH_URL=$(tests/elasticsearch/run_es.sh url); then
    :  # already running (a developer's own): use it and leave it running
  else
    STELLEN_TEST_ELASTICSEARCH_URL=$(tests/elasticsearch/run_es.sh start | tail -n 1)
    started_es=1
  fi
fi
export STELLEN_TEST_ELASTICSEARCH_URL
export STELLEN_REQUIRE_ELASTICSEARCH=1
cleanup() { if [ -n "$started_es" ] && [ -z "${STELLEN_KEEP_ES:-}" ]; then tests/elasticsearch/run_es.sh stop || true; fi; }
trap cleanup EXIT

python -m pytest "$@"
