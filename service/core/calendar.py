"""Follow-ups as an iCalendar feed (RFC 5545), for the API and the consultant's Outlook subscription."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from models import orm
from models.orm import utcnow
from models.vocabulary import FollowupKind

PRODUCT_ID = "-//FleksMatch//Opfølgning//DA"


def followups_calendar(followups: list[orm.FollowUp], *, name: str = "FleksMatch opfølgning") -> bytes:
    """One all-day event per follow-up on its due date; the uid is stable, so a calendar that refreshes the
    feed updates events instead of repeating them."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = utcnow()
    for followup in followups:
        event = Event()
        event.add("uid", f"{followup.id}@fleksmatch")
        event.add("dtstamp", stamp)
        event.add("dtstart", followup.due_date)
        event.add("dtend", followup.due_date + timedelta(days=1))
        event.add("summary", f"{FollowupKind.label_of(followup.kind)}: {followup.citizen_id}")
        event.add("description", followup.detail)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


__all__ = ["followups_calendar"]
