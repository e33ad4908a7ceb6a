"""The served OpenAPI document declares the errors the API really answers."""

from __future__ import annotations

from api.app import create_app


def test_every_operation_declares_envelope_errors_and_no_422() -> None:
    document = create_app().openapi()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) >= 47
    for operation in operations:
        responses = operation["responses"]
        assert "422" not in responses
        for status in ("400", "401", "404"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    schemas = document["components"]["schemas"]
    assert schemas["ErrorResponse"]["required"] == ["error"]
    assert set(schemas["ErrorObject"]["properties"]) == {"message", "type", "param", "code"}
    assert "HTTPValidationError" not in schemas
    assert document["security"] == [{"bearer": []}]
