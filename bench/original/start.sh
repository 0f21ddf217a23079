# The original ApplicationStart hook (write-up section 3.3, scripts/start.sh). Same steps: read image.txt, write
# docker-compose.yaml into the working directory (so the compose project is the directory's name), then
# `docker-compose up -d <service>`, which pulls the image if it is not on the host, after stop.sh took the old
# container down. Changed for the benchmark, through the environment: the image.txt and env-file paths, and the
# names (service bench-be, containers bench-*, side images bench-side:1, network bench, host ports 127.0.0.1:18080,
# 16379, 15044 instead of 8080, 6379, 5044, the pinpoint profiles folder under /tmp). Echo texts translated.
IMAGE_FILE_PATH=${BENCH_IMAGE_FILE:-/home/ubuntu/deploy/image.txt}
IMAGE_NAME=$(cat "$IMAGE_FILE_PATH")
CONTAINER_ENV_PATH=${BENCH_ENV_FILE:-/home/ubuntu/env/.env}
SERVICE_NAME=bench-be

# write the Docker Compose YAML for the new image version
echo "version: '3.8'

services:
  bench-be:
    container_name: bench-backend
    image: ${IMAGE_NAME}
    ports:
      - 127.0.0.1:18080:8080
    env_file:
      - ${CONTAINER_ENV_PATH}
    volumes:
      - logs_data:/logs
      - /tmp/bench-hooks/pinpoint/profiles:/pinpoint-agent/profiles:rw
      - pinpoint-volumes:/pinpoint-agent
    depends_on:
      - redis
      - pinpoint-agent
      - filebeat

  pinpoint-agent:
    container_name: bench-pinpoint-agent
    image: bench-side:1
    volumes:
      - pinpoint-volumes:/pinpoint-agent

  redis:
    image: bench-side:1
    command: redis-server --port 6379
    container_name: bench-redis
    labels:
      - \"name=redis\"
      - \"mode=standalone\"
    ports:
      - 127.0.0.1:16379:6379

  filebeat:
    image: bench-side:1
    container_name: bench-filebeat
    volumes:
      - logs_data:/logs
    ports:
      - 127.0.0.1:15044:5044

volumes:
  logs_data:
  pinpoint-volumes:

networks:
  default:
    name: bench
    external: true" > docker-compose.yaml

# run the new container
echo "IMAGE_NAME: $IMAGE_NAME starting"
docker-compose up -d $SERVICE_NAME
