from covet import CovetPy

app = CovetPy()

@app.route("/")
async def hello(request):
    return {"message": "Hello from CovetPy Alpha v0.1.0!"}

@app.route("/users/{user_id}")
async def get_user(request, user_id: int):
    return {
        "id": user_id,
        "name": f"User {user_id}",
        "framework": "CovetPy Alpha"
    }
