"""Overdue risk: who will go overdue, why, and what it will cost.

Scorecards (binning, weights of evidence, a logistic model scaled to
points), behaviour scores, portfolio analytics (roll rates, vintages),
provisioning (IFRS 9 expected credit loss), stress scenarios and collection
response models. Pure computation on rows and arrays: no store, no polars
(the close of business applies a scorecard through ``batch``), no I/O
framework. numpy, pandas, scikit-learn and optbinning are the tools.
"""
