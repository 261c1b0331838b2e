"""Replication suite for five survey studies of online customer relationships.

Modules, one topic each:

- published record: ``record`` (schema, loading, validation), ``catalog`` (which published table
  each notebook section reproduces), ``responses`` (reading and checking response files);
- estimation: ``syntax`` (lavaan model syntax from a record), ``ram`` (the model engine: parameter
  table, implied covariance, ML derivatives), ``sem`` (fitting with lavaan's definitions),
  ``fiml`` (full-information ML), ``fit_indices`` (plain fit-index formulas), ``bootstrap``;
- analyses: ``measurement`` (reliability and validity), ``moderation``, ``mediation``;
- reconstruction: ``population`` (population model and admissibility), ``misfit`` (Cudeck-Browne
  calibration), ``likert`` (thresholds), ``reconstruct`` (data sources);
- audit: ``audit``, ``audit_checks``, ``rounding``, ``model_df``, ``implied_r2``;
- reporting: ``compare``, ``plots``, ``diagrams``, ``analysis``, ``runner``, ``cli``.
"""

__version__ = "0.1.0"
