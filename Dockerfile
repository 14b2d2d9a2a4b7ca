# Vigie — release image.
# Templates, migrations and the stylesheet are compiled into the binary: it is the whole app.
# Needs DATABASE_URL at run time (the image carries no PostgreSQL server).

FROM rust:1-bookworm AS builder
WORKDIR /app
# Compile-time checked queries read the committed .sqlx/ metadata instead of a live database.
ENV SQLX_OFFLINE=true

# Dependencies first, against stub sources: this layer is reused until Cargo.toml/Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && cargo clean --release --package vigie \
    && rm -rf src

# Then the crate itself (src/, templates/, migrations/, .sqlx/, ...).
COPY . .
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system vigie \
    && useradd --system --gid vigie --home-dir /app --no-create-home --shell /usr/sbin/nologin vigie
WORKDIR /app
COPY --from=builder /app/target/release/vigie /usr/local/bin/vigie
# Media files (VIGIE_DATA_DIR/media) unless VIGIE_MEDIA_URL names a bucket: a volume in compose.
RUN mkdir -p /app/data && chown vigie:vigie /app/data
USER vigie
ENV VIGIE_BIND=0.0.0.0:3000 VIGIE_DATA_DIR=/app/data
EXPOSE 3000
CMD ["vigie", "serve"]
