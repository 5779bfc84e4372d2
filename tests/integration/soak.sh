#!/usr/bin/env bash
# soak.sh — the short version of the load soak (tests/soak.sh; `make soak`
# runs the long one): 20 s of mixed wrk load on the example site copied into
# a few hundred documents, reindexed every 4 s (the third run --full).
#   FL_SOAK_SECONDS=N  lengthen it
export SOAK_SECONDS=${FL_SOAK_SECONDS:-20}
export SOAK_REINDEX_EVERY=4
export SOAK_CORPUS=example
export SOAK_SAMPLE=1
exec bash "$(dirname "$0")/../soak.sh"
