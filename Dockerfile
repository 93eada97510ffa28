# Multi-stage build of the same static binary `make build` produces.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sandbank ./cmd/sandbank \
 && mkdir -p /out/data

# distroless static: no shell, no libc (modernc.org/sqlite is pure Go),
# runs as the unprivileged "nonroot" user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sandbank /usr/local/bin/sandbank
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
VOLUME ["/data"]
# Listen on all interfaces inside the container; publish with -p 7070:7070.
# Set SANDBANK_PUBLIC_URL when the published address differs.
ENV SANDBANK_ADDR=0.0.0.0:7070 \
    SANDBANK_DB=/data/sandbank.db
EXPOSE 7070
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/sandbank"]
CMD ["serve"]
