#!/bin/sh
# Benchmark: time from "image pushed" to "deployment created", `./jbang release --no-wait` against the AWS CLI doing
# the same work (zip, s3api put-object, deploy register-application-revision, deploy create-deployment, each with
# --endpoint-url), on one local S3Proxy and one local CodeDeploy endpoint, interleaved, median of RUNS (default 5).
# Talks only to 127.0.0.1. Needs: Java 17, Maven, zip, Debian's awscli (/usr/bin/aws).
set -eu
cd "$(dirname -- "$0")/.."
exec mvn -q -B test -Dtest=ReleaseBench -Dsurefire.failIfNoSpecifiedTests=false -Dbench.runs="${RUNS:-5}"
