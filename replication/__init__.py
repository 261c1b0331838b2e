"""Replication suite for five survey studies of online customer relationships.

Modules, one topic each: ``record`` (published records), ``syntax`` (lavaan model syntax),
``sem`` (CFA/SEM fitting with lavaan's definitions), ``fit_indices`` (plain fit-index formulas),
``measurement`` (reliability and validity), ``moderation``, ``mediation``, ``bootstrap``,
``reconstruct`` (data from published numbers), ``audit`` (consistency of published numbers),
``compare`` (published vs replicated), ``plots``, ``runner`` and ``cli``.
"""

__version__ = "0.1.0"
