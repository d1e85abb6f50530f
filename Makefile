# One command for the main job, one for the tests; both install what they need first.
.PHONY: setup demo test services

setup:
	scripts/setup

demo: setup
	.venv/bin/coi demo

services:
	scripts/services

test: setup services
	.venv/bin/pytest
