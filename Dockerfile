# citebot: the Slack HTTP door by default; `citebot discord`, `citebot slack` (Socket Mode) or
# `chroma run` from the same image. Everything it needs at run time is inside: the WordLlama
# weights ship in their wheel, and no model is downloaded.
#
#   docker build -t citebot .
#   docker run -p 3000:3000 --env-file .env -v citebot-data:/data citebot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Every dependency ships a manylinux wheel: no compiler is needed.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY retrieval ./retrieval
RUN pip install .

# The seed article (ingested on first use when the store is empty).
COPY seeds ./seeds

RUN useradd --create-home --uid 10001 citebot \
    && mkdir -p /data \
    && chown citebot:citebot /data
USER citebot

# The local Chroma store and the feedback database. With CHROMA_HOST set, chunks live on the
# Chroma server instead and only the feedback database stays here.
ENV CITEBOT_DATA_DIR=/data \
    CITEBOT_SEEDS_DIR=/app/seeds \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

# exec: citebot gets SIGTERM itself and shuts down cleanly. GET /healthz answers "ok".
CMD ["sh", "-c", "exec citebot slack --http --port \"${PORT}\""]
