"""Consistency checks of published numbers: plain functions of printed values.

Each check takes printed numbers (:class:`replication.record.schema.Published`, which carry their text,
their location and their rounding) and returns a :class:`Finding`. A printed value is
``inconsistent`` only when no inputs within their printed precision reproduce it: the inputs are
intervals (see :mod:`replication.audit.rounding`), the recomputed quantity is the image interval, and
the finding reports it. A check that lacks an input is ``not_checkable`` and says what is missing.

Every inconsistent finding carries a severity: ``major`` when the published solution cannot be
true in a way that bears on the model or a hypothesis (inadmissible estimates, degrees of freedom
or fit statistics that cannot come from one model and sample, a test statistic whose recomputed
value changes significance at the paper's own level, verdicts that contradict the paper's own
rule), ``minor`` otherwise (reliability indices, significance markers, text against tables,
sample description: correcting them leaves every conclusion unchanged).

The checks live in topic modules, gathered here: :mod:`~replication.audit.finding` (findings,
normal p-values), :mod:`~replication.audit.measurement_checks`, :mod:`~replication.audit.fit_checks`,
:mod:`~replication.audit.incremental_checks`, :mod:`~replication.audit.estimate_checks`,
:mod:`~replication.audit.verdict_checks`, :mod:`~replication.audit.descriptive_checks` (with GRIM
and GRIMMER), :mod:`~replication.audit.marker_checks` (markers, signs) and
:mod:`~replication.audit.discriminant_checks` (Fornell-Larcker, HTMT, loading ranges). Record walks
of their own: :mod:`~replication.audit.item_counts`, :mod:`~replication.audit.scaled_checks` and
:mod:`~replication.audit.software_checks`.
"""

from replication.audit.finding import (CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Finding,
                                       not_checkable, two_sided_p, p_range_from_statistic)
from replication.audit.measurement_checks import check_ave, check_cr, check_loading_bounds
from replication.audit.fit_checks import (SOFTWARE_NOTES, software_note, check_chisq_df,
                                          check_chisq_pvalue, check_rmsea, check_rmsea_ratio,
                                          check_agfi, check_df)
from replication.audit.incremental_checks import (baseline_range, check_incremental_fit,
                                                  check_common_baseline)
from replication.audit.estimate_checks import check_statistic, check_p_value, check_marker
from replication.audit.verdict_checks import (Evidence, check_verdict, check_verdict_coherence,
                                              check_standardized_bound, check_implied_r2)
from replication.audit.descriptive_checks import (check_group_sum, check_group_percent,
                                                  check_percent_sum, check_response_rate,
                                                  check_claim, check_harman, check_mean_sd,
                                                  check_grim, check_grimmer)
from replication.audit.marker_checks import check_chisq_marker, check_sign
from replication.audit.discriminant_checks import (check_fl_correlation, check_fl_diagonal,
                                                   check_fl_verdict, check_htmt, check_htmt_verdict,
                                                   check_loading_range)

__all__ = [
    "SOFTWARE_NOTES",
    "software_note",
    "Finding",
    "Evidence",
    "CONSISTENT",
    "INCONSISTENT",
    "NOT_CHECKABLE",
    "not_checkable",
    "two_sided_p",
    "p_range_from_statistic",
    "check_ave",
    "check_cr",
    "check_loading_bounds",
    "check_chisq_df",
    "check_chisq_pvalue",
    "check_rmsea",
    "check_rmsea_ratio",
    "check_agfi",
    "check_df",
    "baseline_range",
    "check_incremental_fit",
    "check_common_baseline",
    "check_statistic",
    "check_p_value",
    "check_marker",
    "check_verdict",
    "check_verdict_coherence",
    "check_standardized_bound",
    "check_implied_r2",
    "check_group_sum",
    "check_group_percent",
    "check_percent_sum",
    "check_response_rate",
    "check_claim",
    "check_harman",
    "check_mean_sd",
    "check_grim",
    "check_grimmer",
    "check_chisq_marker",
    "check_sign",
    "check_fl_diagonal",
    "check_fl_correlation",
    "check_fl_verdict",
    "check_htmt",
    "check_htmt_verdict",
    "check_loading_range",
]


