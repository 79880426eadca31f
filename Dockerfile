# Build stage: a wheel with the extraction hot path compiled by mypyc (setup.py, WIREWATCH_COMPILE=1).
FROM python:3.11 AS build
WORKDIR /src
COPY pyproject.toml setup.py mypy.ini README.md ./
COPY wirewatch ./wirewatch
RUN pip install --no-cache-dir "setuptools>=77" wheel "mypy>=1.10,<2" \
    && WIREWATCH_COMPILE=1 pip wheel --no-cache-dir --no-build-isolation --no-deps -w /wheels .

FROM python:3.11-slim
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels && useradd --system wirewatch
USER wirewatch
ENTRYPOINT ["wirewatch"]
