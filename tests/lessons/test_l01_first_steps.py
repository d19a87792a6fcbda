"""Lesson 01: a minimal app, its docs, plain Starlette beside it, and a validated model."""

from fastapi.testclient import TestClient

from lessons.l01_first_steps import app

client = TestClient(app)


def test_welcome() -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"message": "Welcome to the chat"}


def test_the_docs_come_free() -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert "/openapi.json" in docs.text
    redoc = client.get("/redoc")
    assert redoc.status_code == 200
    assert "redoc" in redoc.text.lower()


def test_openapi_describes_the_path_parameter() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 01 — First steps"
    parameter = schema["paths"]["/rooms/{room_id}"]["get"]["parameters"][0]
    assert parameter == {
        "name": "room_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "title": "Room Id"},
    }
    # The plain Starlette app is invisible to the OpenAPI document.
    assert not any(path.startswith("/plain") for path in schema["paths"])


def test_read_room_converts_the_path() -> None:
    response = client.get("/rooms/2")
    assert response.status_code == 200
    assert response.json() == {"room_id": 2, "name": "random"}


def test_read_room_rejects_a_non_integer_with_422() -> None:
    response = client.get("/rooms/lobby")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "room_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "lobby",
            }
        ]
    }


def test_plain_starlette_does_the_same_by_hand() -> None:
    assert client.get("/plain/rooms/1").json() == {"room_id": 1, "name": "general"}
    response = client.get("/plain/rooms/lobby")
    assert response.status_code == 400
    assert response.json() == {"error": "room_id must be an integer, got 'lobby'"}


def test_model_coerces_a_numeric_string() -> None:
    response = client.post(
        "/rooms/settings", json={"name": "general", "messages_per_second": "1.99"}
    )
    assert response.status_code == 200
    assert response.json() == {"name": "general", "messages_per_second": 1.99, "topic": None}


def test_model_rejects_a_rate_that_is_not_positive() -> None:
    response = client.post("/rooms/settings", json={"name": "general", "messages_per_second": -1})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "greater_than",
            "loc": ["body", "messages_per_second"],
            "msg": "Input should be greater than 0",
            "input": -1,
            "ctx": {"gt": 0.0},
        }
    ]


def test_model_reports_every_missing_field() -> None:
    response = client.post("/rooms/settings", json={})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "name"],
        ["body", "messages_per_second"],
    ]
    assert {error["type"] for error in response.json()["detail"]} == {"missing"}


def test_openapi_carries_the_model_constraints() -> None:
    schema = client.get("/openapi.json").json()
    settings = schema["components"]["schemas"]["RoomSettings"]
    assert settings["required"] == ["name", "messages_per_second"]
    assert settings["properties"]["messages_per_second"]["exclusiveMinimum"] == 0.0
    assert settings["properties"]["name"]["maxLength"] == 40
