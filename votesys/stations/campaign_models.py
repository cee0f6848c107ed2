"""Tables of collection campaigns (征集): the campaign, its negative list, and each opinion
that joined it with its screening and feasibility."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from votesys.extensions import db
from votesys.models_base import utcnow


class Screening(StrEnum):
    ACCEPTED = "accepted"  # 纳入项目池
    SET_ASIDE = "set_aside"  # 不予采纳 (with a reason)


class Verdict(StrEnum):
    FEASIBLE = "feasible"  # 可行
    CONDITIONAL = "conditional"  # 有条件可行
    NOT_FEASIBLE = "not_feasible"  # 不可行


class Campaign(db.Model):
    """征集: a jurisdiction's call for next year's livelihood projects, with its window."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    year: Mapped[int]
    opens_on: Mapped[date]
    closes_on: Mapped[date]  # the last day an opinion joins (inclusive)
    categories: Mapped[str] = mapped_column(String(200), default="")  # "" = every field
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jurisdiction = relationship("Jurisdiction")
    negative_list = relationship(
        "NegativeItem",
        order_by="NegativeItem.position",
        cascade="all, delete-orphan",
        back_populates="campaign",
    )

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class NegativeItem(db.Model):
    """负面清单: what cannot become a livelihood project, with the reason."""

    __tablename__ = "campaign_negative_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    item: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))

    campaign = relationship("Campaign", back_populates="negative_list")


class CampaignEntry(db.Model):
    """An opinion that joined a campaign: its screening and, once accepted, its feasibility
    (可行性论证) as the responsible unit gave it."""

    __tablename__ = "campaign_entries"

    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    screening: Mapped[str | None] = mapped_column(String(20))
    negative_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_negative_items.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    screened_on: Mapped[date | None]
    screened_by: Mapped[str] = mapped_column(String(100), default="")
    cost_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(200), default="")
    verdict: Mapped[str | None] = mapped_column(String(20))
    verdict_reason: Mapped[str] = mapped_column(Text, default="")
    assessed_on: Mapped[date | None]
    assessed_by: Mapped[str] = mapped_column(String(100), default="")

    campaign = relationship("Campaign")
    opinion = relationship("Opinion")
    negative_item = relationship("NegativeItem")
