"""A printed correlation or covariance matrix (``results.matrix``), as older papers and
textbooks print them: the lower triangle of the items' (or constructs') correlations or
covariances, with their standard deviations and means.

The matrix is a data source of its own: lavaan fits a model to it with ``sample.cov`` and
``sample.nobs`` (``getCov()`` reads the lower triangle, ``cor2cov(R, sd)`` gives the covariance
``D R D`` with ``D = diag(sd)``). Validation reads the lower triangle (or a full square,
symmetric matrix) into a square symmetric matrix and refuses, in one line naming the field, a
row of the wrong length, a correlation diagonal other than 1, a correlation outside [-1, 1], an
SD that is not positive, a list of SDs or means of the wrong length, and a matrix that is not
positive definite.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from replication.record.printed import _FieldError, _Strict, unique_names

__all__ = ["PrintedMatrix"]

#: a printed 1 on the diagonal is 1 to rounding
_UNIT_TOLERANCE = 1e-9


class PrintedMatrix(_Strict):
    """A correlation or covariance matrix as printed, lower triangle first.

    ``kind`` is ``correlation`` or ``covariance``; ``variables`` names the rows and columns in
    the printed order (item names of the record for an item-level matrix, construct names for
    a construct-level one); ``lower`` holds the rows of the lower triangle including the
    diagonal (row ``i`` has ``i + 1`` numbers), or the full square matrix (then it must be
    symmetric); ``sd`` the printed standard deviations (a correlation matrix with ``sd`` is the
    covariance ``D R D``, as lavaan's ``cor2cov``); ``mean`` the printed means; ``decimals``
    the decimals the matrix was printed to (default: the most decimals of its numbers);
    ``where`` names the table.
    """

    kind: Literal["correlation", "covariance"] = Field(
        description="correlation or covariance: what the printed matrix holds")
    variables: list[str] = Field(min_length=2, description="names of the rows and columns in the printed order "
                                                           "(items, or constructs for a construct-level matrix)")
    lower: list[list[float]] = Field(description="rows of the lower triangle with the diagonal (row i has i + 1 "
                                                 "numbers), or the full symmetric matrix")
    sd: list[float] | None = Field(default=None, description="printed standard deviations, one per variable")
    mean: list[float] | None = Field(default=None, description="printed means, one per variable")
    decimals: int | None = Field(default=None, ge=0, le=12,
                                 description="decimals the matrix was printed to (default: the most decimals "
                                             "of its numbers)")
    where: str = Field(min_length=1, description="where the matrix stands in the paper (table)")

    @field_validator("variables")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return unique_names(v, "", "variable")

    @model_validator(mode="after")
    def _square(self) -> "PrintedMatrix":
        k = len(self.variables)
        full = self.matrix_or_none()
        if full is None:
            raise _FieldError("lower", f"expected {k} rows of 1 .. {k} numbers (the lower triangle "
                                       f"of {k} variables) or {k} rows of {k} numbers, got rows of "
                                       f"{[len(r) for r in self.lower]} numbers")
        for i, row in enumerate(self.lower):
            for j, x in enumerate(row):
                if not math.isfinite(x):
                    raise _FieldError(f"lower[{i}][{j}]", f"expected a finite number, got {x!r}")
        if len(self.lower[-1]) == k and not np.allclose(full, full.T, atol=1e-12, rtol=0.0):
            i, j = np.argwhere(~np.isclose(full, full.T, atol=1e-12, rtol=0.0))[0]
            raise _FieldError(f"lower[{i}][{j}]", f"expected a symmetric matrix: {full[i, j]:g} "
                                                  f"against {full[j, i]:g} at [{j}][{i}]")
        self._check_entries(full)
        for name in ("sd", "mean"):
            values = getattr(self, name)
            if values is not None and len(values) != k:
                raise _FieldError(name, f"expected {k} numbers (one per variable), got {len(values)}")
        if self.sd is not None:
            for i, s in enumerate(self.sd):
                if not (math.isfinite(s) and s > 0):
                    raise _FieldError(f"sd[{i}]", f"expected a standard deviation > 0, got {s:g}")
        smallest = float(np.linalg.eigvalsh(full).min())
        if smallest <= 0:
            raise _FieldError("lower", f"the printed {self.kind} matrix is not positive definite "
                                       f"(smallest eigenvalue {smallest:.3g}); expected a matrix a "
                                       "sample can have (check the transcription)")
        return self

    def _check_entries(self, full: np.ndarray) -> None:
        k = len(self.variables)
        for i in range(k):
            d = full[i, i]
            if self.kind == "correlation" and abs(d - 1.0) > _UNIT_TOLERANCE:
                raise _FieldError(f"lower[{i}][{i}]", f"expected 1 on the diagonal of a correlation "
                                                      f"matrix, got {d:g}")
            if self.kind == "covariance" and d <= 0:
                raise _FieldError(f"lower[{i}][{i}]", f"expected a variance > 0, got {d:g}")
            for j in range(i):
                if self.kind == "correlation" and abs(full[i, j]) > 1.0:
                    raise _FieldError(f"lower[{i}][{j}]", f"expected a correlation within [-1, 1], "
                                                          f"got {full[i, j]:g}")

    def matrix_or_none(self) -> np.ndarray | None:
        """The square matrix of ``lower`` (``None`` when the rows have the wrong lengths)."""
        k = len(self.variables)
        lengths = [len(r) for r in self.lower]
        if len(self.lower) != k:
            return None
        full = np.zeros((k, k))
        if lengths == list(range(1, k + 1)):
            for i, row in enumerate(self.lower):
                full[i, :i + 1] = row
                full[:i + 1, i] = row
            return full
        if lengths == [k] * k:
            return np.asarray(self.lower, float)
        return None

    @property
    def matrix(self) -> np.ndarray:
        """The printed matrix, square and symmetric."""
        full = self.matrix_or_none()
        assert full is not None  # validated
        return full

    @property
    def covariance(self) -> np.ndarray:
        """The covariance matrix of the printed numbers: ``D R D`` (lavaan's ``cor2cov``) for a
        correlation matrix with SDs, the correlation matrix itself without SDs, else as printed."""
        m = self.matrix
        if self.kind == "correlation" and self.sd is not None:
            d = np.asarray(self.sd, float)
            return m * np.outer(d, d)
        return m

    @property
    def correlation(self) -> np.ndarray:
        """The correlation matrix of the printed numbers."""
        m = self.matrix
        d = np.sqrt(np.diag(m))
        return m / np.outer(d, d)

    @property
    def precision(self) -> int:
        """Decimals the matrix was printed to: ``decimals`` or the most decimals of its numbers."""
        if self.decimals is not None:
            return self.decimals
        most = 0
        for row in self.lower:
            for x in row:
                text = repr(float(x))
                if "e" not in text and "." in text:
                    most = max(most, len(text.split(".")[1].rstrip("0")))
        return most
