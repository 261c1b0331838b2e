"""Which fitted models did not converge or are inadmissible, in words for the classification.

:func:`fit_problems` turns fitted models into one sentence each; :func:`replication.compare.core.
classify_reproduction` makes a replication with any such sentence ``not reproduced`` and gives
the sentences as its reason.
"""

from __future__ import annotations

__all__ = ["INADMISSIBLE", "fit_problems"]

#: Warnings of a fitted model that make its solution inadmissible.
INADMISSIBLE = ("negative variance", "outside [-1, 1]", "not positive definite")


def fit_problems(**fits) -> list[str]:
    """One sentence per fitted model that did not converge or whose solution is inadmissible.

    Parameters
    ----------
    **fits : SEMResult or None
        Fitted models by the name the sentence gives them (``CFA=cfa, SEM=sem_result``);
        ``None`` is skipped.

    Returns
    -------
    list of str
        ``"the SEM did not converge"``, or ``"the CFA is inadmissible (negative variance
        (Heywood case): WOM1 ~~ WOM1 = -980.3749)"`` with the first such warning; empty when
        every model converged to an admissible solution.
    """
    out = []
    for name, fit in fits.items():
        if fit is None:
            continue
        if not bool(getattr(fit, "converged", True)):
            out.append(f"the {name} did not converge")
            continue
        bad = [w for w in getattr(fit, "warnings", []) or [] if any(k in w for k in INADMISSIBLE)]
        if bad:
            out.append(f"the {name} is inadmissible ({bad[0]})")
    return out
