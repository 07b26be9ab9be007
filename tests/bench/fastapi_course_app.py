# The course's own examples on its own stack (FastAPI + uvicorn), the peer bench_server measures
# Loopscope against in the same run. Run: python3 -m uvicorn fastapi_course_app:app
import asyncio

from fastapi import FastAPI, HTTPException

app = FastAPI()


@app.get("/async")
async def read_async(delay: float = 2.0):
    await asyncio.sleep(delay)
    return {"message": "Asynchronous endpoint completed"}


class ProductService:
    def __init__(self):
        self.products = {}

    async def create_product(self, name: str, price: float):
        product_id = len(self.products) + 1
        product = {"id": product_id, "name": name, "price": price}
        self.products[product_id] = product
        return product

    async def get_product(self, product_id: int):
        return self.products.get(product_id)

    async def list_products(self):
        return list(self.products.values())


product_service = ProductService()


async def log_product_created():
    await asyncio.sleep(3)
    print("Product created")


@app.post("/products/")
async def create_product(name: str, price: float):
    product = await product_service.create_product(name, price)
    asyncio.create_task(log_product_created())
    return product


@app.get("/products/{product_id}")
async def get_product(product_id: int):
    product = await product_service.get_product(product_id)
    if not product:
        raise HTTPException(status_code=404, detail="Product not found")
    return product


@app.get("/products/")
async def list_products():
    return await product_service.list_products()
