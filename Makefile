# One command for the main job, one for the tests; both install what they need first.
.PHONY: setup demo test test-latest services lock

setup:
	scripts/setup

demo: setup
	.venv/bin/coi demo

services:
	scripts/services

# the suite in parallel (pytest-xdist, one process per core, at most 4: the Redis test databases 11-15
# are one per test session); most tests wait on services and worker processes, not on the CPU
test: setup services
	.venv/bin/pytest -n auto --maxprocesses 4 --dist worksteal

# the suite on the newest versions pyproject.toml admits (by hand, weekly; uv.lock is left as it is)
test-latest: services
	scripts/test-latest

# after changing dependencies in pyproject.toml: pin them again (uv.lock), then `make setup`
lock:
	scripts/setup --lock
