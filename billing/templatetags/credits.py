"""`{% credit_balance user as balance %}`: a signed-in runner's credits (billing.selectors),
for the home page, My sessions and the booking confirmation."""

from django import template

from billing import selectors
from clinic import permissions

register = template.Library()


@register.simple_tag
def credit_balance(user) -> selectors.Balance:
    if not permissions.is_runner(user):
        return selectors.Balance()
    return selectors.balance(getattr(user, "runner", None))


@register.simple_tag
def offers_on_sale():
    """Every clinic's packs and memberships on sale (two queries), for the price lists."""
    return list(selectors.offers_on_sale())


@register.simple_tag
def paid_with_credit(session) -> bool:
    """Whether the session holds a pack or membership credit now (one query)."""
    return selectors.holds_credit(session.pk)
