"""`{% credit_balance user as balance %}`: a signed-in runner's credits (billing.selectors),
for the home page, My sessions and the booking confirmation."""

from django import template

from billing import selectors
from clinic import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def credit_balance(context, user) -> selectors.Balance:
    """One query: the runner pages' runner (runner_required) is reused, not read again."""
    if not permissions.is_runner(user):
        return selectors.Balance()
    runner = getattr(context.get("request"), "runner", None)
    if runner is None or runner.user_id != user.pk:
        runner = getattr(user, "runner", None)
    return selectors.balance(runner)


@register.simple_tag
def offers_on_sale():
    """Every clinic's packs and memberships on sale (two queries), for the price lists."""
    return list(selectors.offers_on_sale())


@register.simple_tag
def paid_with_credit(session) -> bool:
    """Whether the session holds a pack or membership credit now (one query)."""
    return selectors.holds_credit(session.pk)
