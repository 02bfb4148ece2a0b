# qz811 image for docker compose: the official Airflow 3.3 image plus the project's pinned requirements.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.lock /tmp/qz811-requirements.lock
RUN pip install --no-cache-dir -r /tmp/qz811-requirements.lock
ENV PYTHONPATH=/opt/qz811
