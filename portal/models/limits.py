"""Rate-limit counters in the database (``RATELIMIT_STORAGE_URI = "database://"``, ``portal.ratelimit``)."""

from sqlalchemy import Float, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class RateLimitCounter(db.Model):
    """The hits of one rate-limit key (an address and a limit) in its current fixed window."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch: the window's end
