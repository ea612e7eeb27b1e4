# The Docker image, built and run for real (scripts/docker_smoke.sh): CI calls this after
# `make test`. Installs and starts a Docker engine if there is none (stopping what it started),
# makes the local base image once, builds the Dockerfile, then checks the API and UI containers
# and docker-compose.yml from outside. Skips, saying why, only where no engine can be started.
.PHONY: docker-smoke

docker-smoke:
	bash scripts/docker_smoke.sh
