# The original ApplicationStop hook (write-up section 3.3, scripts/stop.sh), verbatim except that the container
# name comes from the environment so the benchmark can use its own (bench-backend). Echo texts translated.
CONTAINER_NAME=${BENCH_CONTAINER:-art-backend}

# is there a container (-a: stopped ones too)
RUNNING_CONTAINER_ID=$(docker ps -aq --filter "name=$CONTAINER_NAME")
echo "running container ID: $RUNNING_CONTAINER_ID"

# stop and remove the old container
if [ -n "$RUNNING_CONTAINER_ID" ]; then
  echo "stopping and removing the old container"
  docker stop $CONTAINER_NAME && docker rm $CONTAINER_NAME
fi
