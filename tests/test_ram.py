"""The model engine: lavaan defaults, RAM algebra, exact derivatives, ML fit."""

import numpy as np
import pytest

from replication.engine.errors import InputError
from replication.engine.ram import RAM, fit_ml, ml_discrepancy, specify

SEM = """
X =~ x1 + x2 + x3
Y =~ y1 + y2 + y3
Y ~ X
"""


def _theta(model):
    rng = np.random.default_rng(3)
    out = []
    for r in model.spec.free_rows():
        lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if op == "=~":
            out.append(0.8 + 0.2 * rng.random())
        elif op == "~":
            out.append(0.5)
        else:
            out.append(1.0 if lhs == rhs else 0.2)
    return np.array(out)


def test_defaults_and_df():
    m = RAM(specify(SEM))
    # 4 free loadings, 1 path, 6 residuals, var(X), disturbance of Y
    assert m.spec.n_free == 13
    assert m.spec.df == 21 - 13
    cfa = RAM(specify("X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\n"))
    assert "X ~~ Y" in cfa.spec.free_keys() or "Y ~~ X" in cfa.spec.free_keys()
    assert cfa.spec.df == 8


def test_implied_covariance_by_hand():
    m = RAM(specify(SEM))
    th = _theta(m)
    A, S = m.matrices(th)
    # by hand: var(X) = phi, var(Y) = b^2 phi + psi, items = lambda * factor + error
    names = m.spec.names
    phi = S[names.index("X"), names.index("X")]
    psi = S[names.index("Y"), names.index("Y")]
    b = A[names.index("Y"), names.index("X")]
    lx = A[[names.index(v) for v in ("x1", "x2", "x3")], names.index("X")]
    Sigma = m.implied(th)
    assert Sigma[0, 1] == pytest.approx(lx[0] * lx[1] * phi)
    ly1 = A[names.index("y1"), names.index("Y")]
    assert Sigma[0, 3] == pytest.approx(lx[0] * ly1 * b * phi)
    assert Sigma[3, 3] == pytest.approx(ly1 ** 2 * (b * b * phi + psi) + S[3, 3])


def test_jacobian_matches_finite_differences():
    m = RAM(specify(SEM))
    th = _theta(m)
    J = m.jacobian(th)
    h = 1e-6
    for k in range(len(th)):
        e = np.zeros_like(th)
        e[k] = h
        num = (m.implied(th + e) - m.implied(th - e)) / (2 * h)
        assert np.allclose(J[k], num, atol=1e-7)


def test_fit_recovers_parameters_and_gradient_vanishes():
    m = RAM(specify(SEM))
    th = _theta(m)
    S = m.implied(th)
    start = th * 0.8 + 0.05
    fit = fit_ml(m, S, start)
    assert fit.converged
    assert np.allclose(fit.theta, th, atol=1e-6)
    assert fit.fmin == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(m.gradient(fit.theta, S)) < 1e-8


def test_discrepancy_not_pd_is_infinite():
    S = np.eye(2)
    assert ml_discrepancy(S, np.array([[1.0, 2.0], [2.0, 1.0]])) == float("inf")
    assert ml_discrepancy(S, S) == pytest.approx(0.0)


def test_theta_from_rescales_to_marker():
    m = RAM(specify(SEM))
    th = _theta(m)
    A, S = m.matrices(th)
    names = m.spec.names
    # the same population with latent variables in another metric (eta' = eta / 2)
    D = np.ones(len(names))
    D[names.index("X")] = 0.5
    D[names.index("Y")] = 0.5
    A2 = (D[:, None] * A) / D[None, :]
    S2 = D[:, None] * S * D[None, :]
    assert A2[names.index("x1"), names.index("X")] == pytest.approx(2.0)
    assert np.allclose(m.theta_from(A2, S2, names), th)


def test_labelled_first_loading_stays_fixed_as_in_lavaan():
    # lavaanify("f =~ a*x1 + x2 + x3"): x1's loading is fixed to 1 and keeps its label
    spec = specify("f =~ a*x1 + x2 + x3\n")
    first = spec.rows[0]
    assert (first["free"], first["value"], first["label"]) == (-1, 1.0, "a")
    assert spec.n_free == 2 + 3 + 1
    freed = specify("f =~ NA*x1 + x2 + x3\nf ~~ 1*f\n")
    assert freed.rows[0]["free"] >= 0


def test_observed_order_and_fixed_x():
    spec = specify("Y =~ y1 + y2 + y3\nY ~ x1 + x2\n", observed=["x2", "y3", "x1", "y1", "y2", "z"])
    assert spec.ov == ["x2", "y3", "x1", "y1", "y2"]
    assert spec.ov_x == ["x2", "x1"]  # in the given order
    # 2 loadings, 2 paths, 3 residuals, disturbance; the x block is fixed.x
    assert spec.n_free == 8 and spec.df == 15 - 3 - 8
    with pytest.raises(InputError, match="fixed.x"):
        RAM(spec)
    with pytest.raises(InputError, match="'y3'"):
        specify("Y =~ y1 + y2 + y3\n", observed=["y1", "y2"])


@pytest.mark.parametrize("model", [
    SEM,
    # equal loadings (one parameter, two matrix entries), a residual covariance, a chain
    "X =~ x1 + a*x2 + a*x3\nY =~ y1 + y2 + y3\nZ =~ z1 + z2\nY ~ X\nZ ~ Y + X\nx2 ~~ y2\n",
    # a feedback loop identified by instruments (I - A inverted, not summed)
    "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nD =~ d1 + d2 + d3\n"
    "A ~ B + C\nB ~ A + D\n",
])
def test_newton_kernel_matches_the_tensor_derivatives(model):
    """NewtonKernel's gradient, Hessian and information against RAM.gradient, the Hessian of
    RAM.newton_step (built from q derivative matrices), central differences of the gradient
    and RAM.information; RAM.refit against RAM.fisher."""
    m = RAM(specify(model))
    th = _theta(m)
    rng = np.random.default_rng(7)
    Z = rng.standard_normal((400, m.p)) @ np.linalg.cholesky(m.implied(th)).T
    S = np.cov(Z.T, bias=True)
    logdet = np.linalg.slogdet(S)[1]
    pt = m.kernel.point(th, S, logdet)
    assert pt.f == pytest.approx(m.fml(th, S, logdet), abs=1e-12)
    g, hess, info2 = m.kernel.derivatives(pt, S)
    assert np.allclose(g, m.gradient(th, S), rtol=1e-10, atol=1e-12)
    assert np.allclose(m.kernel.gradient(pt, S), g, rtol=1e-12, atol=1e-14)
    _, g_t, hess_t, _ = m.newton_step(th, S)
    assert np.allclose(hess, hess_t, rtol=1e-10, atol=1e-12)
    assert np.allclose(info2, 2.0 * m.information(th), rtol=1e-10, atol=1e-12)
    h = 1e-6
    num = np.empty_like(hess)
    for k in range(len(th)):
        e = np.zeros_like(th)
        e[k] = h
        num[k] = (m.gradient(th + e, S) - m.gradient(th - e, S)) / (2 * h)
    assert np.allclose(hess, num, rtol=1e-6, atol=1e-7)
    a, conv_a, it_a = m.fisher(th, S, max_iter=100, tol=1e-8)
    b, conv_b, it_b = m.refit(th, S, max_iter=100, tol=1e-8)
    assert conv_a and conv_b and it_a == it_b
    assert np.allclose(a, b, rtol=0, atol=1e-9)
