"""Great-circle distances between citizens and a workplace, vectorised over the whole pool."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat: np.ndarray, lon: np.ndarray, to_lat: float, to_lon: float) -> np.ndarray:
    """Distance in km from every (lat, lon) in degrees to one point; NaN in, NaN out (unknown location)."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    to_lat_r, to_lon_r = np.radians(to_lat), np.radians(to_lon)
    half_dlat = (to_lat_r - lat_r) / 2.0
    half_dlon = (to_lon_r - lon_r) / 2.0
    a = np.sin(half_dlat) ** 2 + np.cos(lat_r) * np.cos(to_lat_r) * np.sin(half_dlon) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
