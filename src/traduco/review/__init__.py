"""Review: the queue, the review page, bulk clearing of low-risk drafts, the scorecard.

What the queue and the page show of a draft (its check findings and its risk)
is judged in `traduco.checks` (`checks.judge`, `checks.risk`), where drafting
judges it too.

- `review.queue`: the review queue, most urgent first
- `review.page`: the side-by-side review page (a Jinja2 template, autoescaped)
- `review.low_risk`: `approve-low-risk`: drafts below a risk bar cleared in a named reviewer's name
- `review.scorecard`: post-edit scorecard: how much reviewers changed each provider's drafts
"""
