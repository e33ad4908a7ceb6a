"""One APIRouter per resource, all mounted under `/v1` by `api.app.create_app`."""
