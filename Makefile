# One command for the main job, one for the tests; both install what they need first.
.PHONY: setup demo test test-latest services lock

setup:
	scripts/setup

demo: setup
	.venv/bin/coi demo

services:
	scripts/services

test: setup services
	.venv/bin/pytest

# the suite on the newest versions pyproject.toml admits (by hand, weekly; uv.lock is left as it is)
test-latest: services
	scripts/test-latest

# after changing dependencies in pyproject.toml: pin them again (uv.lock), then `make setup`
lock:
	scripts/setup --lock
