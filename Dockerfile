# syntax=docker/dockerfile:1
# One image for every executable; docker-compose.yml picks the command per service (no default CMD).
#   docker build -t myop:latest .
#
# The builder must be at least as new as the newest swift-tools-version among the dependencies (6.2 for
# hummingbird, swift-log, swift-collections, ...), so Package.swift's own 6.1 is not enough; 6.3 matches the
# toolchain the project is developed with. Override with --build-arg SWIFT_IMAGE=...
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS builder
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends librabbitmq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies in their own layer, so editing sources does not fetch them again. The [d] makes Package.resolved
# optional (it is git-ignored; when present it pins the versions).
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve

COPY . .
# --static-swift-stdlib links the Swift runtime and Foundation into each executable, so the runtime image needs
# no Swift toolchain. Every service library ships its SQL migrations as a SwiftPM resource bundle
# (myop_<Target>.resources), which Bundle.module looks for next to the executable: copy them all.
RUN swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /staging \
    && for exe in call-router campaigns billing after-call webhooks notifications sandbox loadgen; do \
           cp "$bin/$exe" /staging/; \
       done \
    && cp -R "$bin"/*.resources /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

FROM debian:bookworm-slim
# librabbitmq4: rabbitmq-c, linked dynamically (with OpenSSL 3) by the Messaging module.
# curl: the compose healthchecks. tzdata: schedules are evaluated in the company's time zone (Asia/Kolkata).
# libxml2: Campaigns reads .xlsx audiences through FoundationXML, and libcurl4: the sandbox and loadgen use
# FoundationNetworking; the static Swift stdlib links both against the system's libraries.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends librabbitmq4 libxml2 libcurl4 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 10001 --home-dir /app --no-create-home myop
WORKDIR /app
# Owned by root and read-only to the service user.
COPY --from=builder /staging/ /app/
USER myop:myop
# Symbolicated crash backtraces in the logs.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static
EXPOSE 8081 8082 8083 8084 8085 8086 8090
