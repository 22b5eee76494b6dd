"""The JSON API under /api/v1: one router per area, assembled by service.http.app.create_app."""
