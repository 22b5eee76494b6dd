"""Authentication and tenant scoping: API tokens (case system, integrations), passwords (web UI logins),
the Principal every request acts as, and the FastAPI dependencies that enforce jobcentre boundaries."""

from service.core.auth.principal import ROLES, Principal

__all__ = ["ROLES", "Principal"]
