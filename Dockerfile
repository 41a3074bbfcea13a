# syntax=docker/dockerfile:1
# The `payments` executable (serve, bank-sandbox, migrate) in a slim runtime image.
#   docker build -t payment-orchestrator .
#   docker run --rm -p 8080:8080 -e PAYMENTS_HOST=0.0.0.0 payment-orchestrator serve

# ---- build ---------------------------------------------------------------------------------------------------
FROM swift:6.3-noble AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Resolve dependencies first so that source edits reuse this layer.
COPY Package.* ./
RUN swift package resolve

COPY Sources ./Sources
COPY Tests ./Tests
# SwiftPM resource bundles (*.resources, e.g. openapi.yaml) are looked up next to the executable: stage them with it.
RUN swift build -c release --product payments --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && mkdir -p /staging \
 && cp "$bin/payments" /staging/ \
 && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

# ---- runtime -------------------------------------------------------------------------------------------------
FROM ubuntu:noble
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libsqlite3-0 zlib1g ca-certificates tzdata curl libcurl4 libxml2 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin payments \
 && mkdir -p /app/data && chown payments:payments /app/data
WORKDIR /app
COPY --from=build --chown=payments:payments /staging/ /app/
USER payments:payments

ENV PAYMENTS_HOST=0.0.0.0 \
    PAYMENTS_PORT=8080 \
    PATH=/app:$PATH
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD curl -fsS "http://127.0.0.1:${PAYMENTS_PORT}/healthz" >/dev/null || exit 1
ENTRYPOINT ["/app/payments"]
CMD ["serve"]
