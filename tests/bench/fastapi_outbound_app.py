# The course's dashboard on its own stack (FastAPI + uvicorn + httpx), the peer bench_outbound
# measures Loopscope against in the same run. UPSTREAM is the base URL of the jsonplaceholder
# stand-in (Loopscope's upstream simulator). Run:
#   UPSTREAM=http://127.0.0.1:PORT python3 -m uvicorn fastapi_outbound_app:app
import asyncio
import os

import httpx
from fastapi import FastAPI

UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:9000").rstrip("/")
USERS_API = f"{UPSTREAM}/users"
POSTS_API = f"{UPSTREAM}/posts"
COMMENTS_API = f"{UPSTREAM}/comments"

app = FastAPI()


# The course's code: a new AsyncClient per call.
async def fetch_users():
    async with httpx.AsyncClient() as client:
        response = await client.get(USERS_API)
        return response.json()


async def fetch_posts():
    async with httpx.AsyncClient() as client:
        response = await client.get(POSTS_API)
        return response.json()


async def fetch_comments():
    async with httpx.AsyncClient() as client:
        response = await client.get(COMMENTS_API)
        return response.json()


@app.get("/dashboard")
async def get_dashboard():
    users, posts, comments = await asyncio.gather(fetch_users(), fetch_posts(), fetch_comments())
    return {"users_count": len(users), "posts_count": len(posts), "comments_count": len(comments)}


# The same gather on one shared, pooled client (the scraper's advice: reuse the client).
shared = None


@app.on_event("startup")
async def open_shared_client():
    global shared
    shared = httpx.AsyncClient()


@app.on_event("shutdown")
async def close_shared_client():
    await shared.aclose()


async def fetch_json(url):
    response = await shared.get(url)
    return response.json()


@app.get("/dashboard-shared")
async def get_dashboard_shared():
    users, posts, comments = await asyncio.gather(
        fetch_json(USERS_API), fetch_json(POSTS_API), fetch_json(COMMENTS_API))
    return {"users_count": len(users), "posts_count": len(posts), "comments_count": len(comments)}
