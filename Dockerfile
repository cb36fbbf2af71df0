FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY vacancies vacancies
COPY crawler crawler
COPY api api
COPY web web
COPY server server
COPY cli cli
COPY config config
RUN pip install --no-cache-dir . && useradd --system --home /app stellen && mkdir -p /data && chown stellen /data
USER stellen
ENV STELLEN_DATABASE_URL=sqlite:////data/stellenboerse.db STELLEN_CONFIG_DIR=/app/config
EXPOSE 8000
CMD ["stellenboerse", "serve", "--host", "0.0.0.0", "--port", "8000"]
