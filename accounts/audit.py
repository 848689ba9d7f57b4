"""The audit log of operator actions: one row per action, written in the action's own transaction, never changed.

`record()` adds the row to the caller's session and does not commit: the action and its row commit
together or not at all. The session guard below refuses to flush an update or a delete of a row.
"""

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounts.models import User
from catalog.models import utcnow
from extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)  # None: the command line
    action: Mapped[str] = mapped_column(String(64))  # 'company.verify', 'operator.grant', ...
    subject_type: Mapped[str] = mapped_column(String(32))  # 'company', 'user', ...
    subject_id: Mapped[int]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[Optional[User]] = relationship()


class AuditLogIsInsertOnly(Exception):
    pass


def record(session: Session, actor_id: int | None, action: str, subject_type: str, subject_id: int,
           details: dict[str, Any] | None = None) -> AuditLog:
    """Add the audit row of an action to the session the action is written in (the caller commits both)."""
    row = AuditLog(actor_id=actor_id, action=action, subject_type=subject_type, subject_id=subject_id,
                   details=details or {})
    session.add(row)
    return row


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsInsertOnly(f"audit row {obj.id} cannot be changed or deleted")
