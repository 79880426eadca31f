FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY wirewatch ./wirewatch
RUN pip install --no-cache-dir . && useradd --system wirewatch
USER wirewatch
ENTRYPOINT ["wirewatch"]
