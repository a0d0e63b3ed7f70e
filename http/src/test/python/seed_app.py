"""The seed's accepted answer, as issue 13 measures it: FastAPI workers under gunicorn sharing one
counter in Redis. POST /increment answers the new count and the worker's pid, as Hearth's does;
GET /report answers the count. REDIS_PORT names the Redis server on 127.0.0.1."""
import os

import redis
from fastapi import FastAPI

app = FastAPI()
store = redis.Redis(host="127.0.0.1", port=int(os.environ["REDIS_PORT"]))


@app.post("/increment")
def increment():
    return {"count": store.incr("count"), "current_process_id": os.getpid()}


@app.get("/report")
def report():
    return {"count": int(store.get("count") or 0), "current_process_id": os.getpid()}
