# The course's `GET /items/{item_id}` on its own stack: FastAPI + SQLAlchemy async session +
# aiosqlite (Debian packages), the peer bench_database measures Loopscope against.
# Run: LOOPSCOPE_ITEMS_DB=/path/items.db python3 -m uvicorn fastapi_items_app:app
import asyncio
import os

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import Column, Float, Integer, String
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

DATABASE_URL = "sqlite+aiosqlite:///" + os.environ.get("LOOPSCOPE_ITEMS_DB", "./items.db")
engine = create_async_engine(DATABASE_URL)
AsyncSessionLocal = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True, index=True)
    name = Column(String, index=True)
    price = Column(Float)


app = FastAPI()


@app.on_event("startup")
async def startup():
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with AsyncSessionLocal() as session:
        if await session.get(Item, 1) is None:
            session.add_all(Item(id=i, name=f"Item {i}", price=(i % 100) + 0.5) for i in range(1, 1001))
            await session.commit()


async def get_session():
    async with AsyncSessionLocal() as session:
        yield session


@app.get("/items/{item_id}")
async def read_item(item_id: int, delay: float = 0.0, session: AsyncSession = Depends(get_session)):
    if delay > 0:
        await asyncio.sleep(delay)
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"id": item.id, "name": item.name, "price": item.price}
