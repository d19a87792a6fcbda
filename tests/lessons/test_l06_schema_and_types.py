"""Lesson 06: examples in the schema, and UUID, dates, times, durations, Decimal, bytes."""

from typing import Any

from fastapi.testclient import TestClient

from lessons.l06_schema_and_types import app

client = TestClient(app)
SCHEDULE = "/schedules/0b0e5a8e-6f53-4c39-9d55-2c1f3f4b7a10"


def openapi() -> dict[str, Any]:
    return client.get("/openapi.json").json()


def test_openapi_title() -> None:
    assert openapi()["info"]["title"] == "Lesson 06 — Schema examples and extra data types"


# datetime, timedelta, time, date, frozenset, UUID


def test_send_at_is_start_plus_delay_and_active_for_is_until_minus_send_at() -> None:
    response = client.put(
        SCHEDULE,
        json={
            "text": "Stand-up in five minutes",
            "start": "2026-11-24T09:00:00Z",
            "delay": "PT1H30M",
            "until": "2026-11-30T18:00:00Z",
            "repeat_at": "09:25:00",
            "skip_days": ["2026-11-29", "2026-11-28", "2026-11-29"],
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": "0b0e5a8e-6f53-4c39-9d55-2c1f3f4b7a10",
        "text": "Stand-up in five minutes",
        "send_at": "2026-11-24T10:30:00Z",
        "active_for": "P6DT7H30M",
        "repeat_at": "09:25:00",
        "skip_days": ["2026-11-28", "2026-11-29"],
    }


def test_a_delay_in_seconds_and_a_zone_offset_are_kept() -> None:
    response = client.put(
        SCHEDULE,
        json={
            "text": "Lunch?",
            "start": "2026-11-24T11:00:00+01:00",
            "delay": 3600,
            "until": "2026-11-24T13:00:00+01:00",
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": "0b0e5a8e-6f53-4c39-9d55-2c1f3f4b7a10",
        "text": "Lunch?",
        "send_at": "2026-11-24T12:00:00+01:00",
        "active_for": "PT1H",
        "repeat_at": None,
        "skip_days": [],
    }


def test_arithmetic_across_time_zones() -> None:
    # 09:00 in Paris is 08:00 UTC: until - send_at counts real time, not clock faces.
    response = client.put(
        SCHEDULE,
        json={
            "text": "x",
            "start": "2026-11-24T09:00:00+01:00",
            "delay": "PT30M",
            "until": "2026-11-24T09:30:00Z",
        },
    )
    assert response.json()["send_at"] == "2026-11-24T09:30:00+01:00"
    assert response.json()["active_for"] == "PT1H"


def test_a_datetime_without_a_zone_is_refused() -> None:
    response = client.put(
        SCHEDULE,
        json={
            "text": "Lunch?",
            "start": "2026-11-24T11:00:00",
            "delay": 3600,
            "until": "2026-11-24T13:00:00Z",
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "timezone_aware",
                "loc": ["body", "start"],
                "msg": "Input should have timezone info",
                "input": "2026-11-24T11:00:00",
            }
        ]
    }


def test_a_bad_uuid_and_a_bad_duration() -> None:
    response = client.put(
        "/schedules/42",
        json={
            "text": "Lunch?",
            "start": "2026-11-24T11:00:00Z",
            "delay": "an hour",
            "until": "2026-11-24T13:00:00Z",
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "uuid_parsing",
                "loc": ["path", "schedule_id"],
                "msg": "Input should be a valid UUID, invalid length: found 2",
                "input": "42",
                "ctx": {"error": "invalid length: found 2"},
            },
            {
                "type": "time_delta_parsing",
                "loc": ["body", "delay"],
                "msg": "Input should be a valid timedelta, invalid character in hour",
                "input": "an hour",
                "ctx": {"error": "invalid character in hour"},
            },
        ]
    }


def test_types_in_openapi() -> None:
    schema = openapi()
    parameter = schema["paths"]["/schedules/{schedule_id}"]["put"]["parameters"][0]
    assert parameter["schema"] == {"type": "string", "format": "uuid", "title": "Schedule Id"}
    fields = schema["components"]["schemas"]["ScheduledMessage"]["properties"]
    assert fields["start"]["format"] == "date-time"
    assert fields["delay"]["format"] == "duration"
    assert fields["repeat_at"]["anyOf"][0] == {"type": "string", "format": "time"}
    assert fields["skip_days"]["items"] == {"type": "string", "format": "date"}
    assert fields["skip_days"]["uniqueItems"] is True


# the four ways to give examples


def test_model_config_example_is_in_the_model_schema_and_is_accepted() -> None:
    examples = openapi()["components"]["schemas"]["ScheduledMessage"]["examples"]
    assert examples == [
        {
            "text": "Stand-up in five minutes",
            "start": "2026-11-24T09:00:00Z",
            "delay": "PT1H30M",
            "until": "2026-11-30T18:00:00Z",
            "repeat_at": "09:25:00",
            "skip_days": ["2026-11-28", "2026-11-29"],
        }
    ]
    assert client.put(SCHEDULE, json=examples[0]).status_code == 200


def test_openapi_examples_are_named_next_to_the_body() -> None:
    content = openapi()["paths"]["/schedules/{schedule_id}"]["put"]["requestBody"]["content"]
    examples = content["application/json"]["examples"]
    assert list(examples) == ["in_an_hour", "naive"]
    assert examples["in_an_hour"]["summary"] == "Send once, an hour after start"
    assert examples["naive"]["description"] == "A datetime without a zone is a 422, not a guess."
    # Each example does what its summary says.
    assert client.put(SCHEDULE, json=examples["in_an_hour"]["value"]).status_code == 200
    assert client.put(SCHEDULE, json=examples["naive"]["value"]).status_code == 422


def test_field_examples_are_on_each_property() -> None:
    tip = openapi()["components"]["schemas"]["Tip"]["properties"]
    assert tip["sender"]["examples"] == ["alice"]
    assert tip["amount"]["examples"] == ["0.10"]


def test_body_examples_are_in_the_body_schema() -> None:
    body = openapi()["paths"]["/rooms/{room_id}/tips"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["examples"] == [
        [{"sender": "alice", "amount": "0.10"}, {"sender": "bob", "amount": "0.20"}]
    ]


# Decimal


def test_decimal_sums_exactly() -> None:
    response = client.post(
        "/rooms/1/tips",
        json=[{"sender": "alice", "amount": "0.10"}, {"sender": "bob", "amount": 0.2}],
    )
    assert response.status_code == 200
    assert response.json() == {"count": 2, "total": "0.30", "total_as_float": 0.30000000000000004}


def test_decimal_places_are_checked() -> None:
    response = client.post("/rooms/1/tips", json=[{"sender": "alice", "amount": "0.105"}])
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "decimal_max_places",
                "loc": ["body", 0, "amount"],
                "msg": "Decimal input should have no more than 2 decimal places",
                "input": "0.105",
                "ctx": {"decimal_places": 2},
            }
        ]
    }


def test_decimal_in_openapi() -> None:
    schemas = openapi()["components"]["schemas"]
    # In: a number or a string. Out: always a string, so no digit is lost.
    assert schemas["Tip"]["properties"]["amount"]["anyOf"] == [
        {"type": "number", "exclusiveMinimum": 0.0},
        {"type": "string"},
    ]
    assert schemas["TipTotal"]["properties"]["total"] == {"type": "string", "title": "Total"}


# bytes


def test_bytes_arrive_as_a_utf8_string() -> None:
    response = client.post("/rooms/1/raw", json={"payload": "héllo"})
    assert response.status_code == 200
    assert response.json() == {"characters": 5, "bytes": 6, "payload": "héllo"}


def test_bytes_must_be_a_string() -> None:
    response = client.post("/rooms/1/raw", json={"payload": 42})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "bytes_type",
                "loc": ["body", "payload"],
                "msg": "Input should be a valid bytes",
                "input": 42,
            }
        ]
    }


def test_bytes_in_openapi() -> None:
    schemas = openapi()["components"]["schemas"]
    body = schemas["Body_post_raw_rooms__room_id__raw_post"]
    assert body["properties"]["payload"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "Payload",
    }
