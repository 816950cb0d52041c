"""An import started from the admin page: the uploaded file and how far its rows have got.

The file is kept in the database (not on one host's disk), so that whichever worker or host answers
the next request can carry on with the next chunk of rows (``portal.catalogue.importing.jobs``).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.user import User

IMPORT_KINDS = ("items", "organisations")
# A job first checks every row (a dry run, nothing kept), then, when the admin presses "Import", writes them.
IMPORT_PHASES = ("dry_run", "import")


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    row_count: Mapped[int] = mapped_column(default=0)
    create_organisations: Mapped[bool] = mapped_column(default=True)
    phase: Mapped[str] = mapped_column(String(20), default="dry_run")
    # Rows of the current phase already done; the phase is finished when it reaches row_count.
    position: Mapped[int] = mapped_column(default=0)
    # The current phase's report (portal.catalogue.importing.report.ImportReport.to_json).
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()

    @property
    def phase_done(self) -> bool:
        return self.position >= self.row_count
