"""Looking at what is stored: lists with filters, one activity in full, and counts."""

from tcmap.portfolio.detail import activity_detail
from tcmap.portfolio.listing import Filters, list_activities
from tcmap.portfolio.stats import portfolio_stats

__all__ = ["Filters", "activity_detail", "list_activities", "portfolio_stats"]
