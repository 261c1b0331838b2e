"""Small hand-made records for the reconstruction tests."""

from replication.record.schema import Record


def pub(value, where="test table"):
    return {"value": value, "printed": str(value), "where": where}


def make_record(paths, items, assumptions=(), loadings=None, fit=(), n=400, scale=5,
                constructs_stats=None, moderations=(), covariances=(), rid="toy", kind="sem",
                path_results=()):
    """A record with constructs ``items`` ({C: [items]}), ``paths`` [(x, y)] and assumptions."""
    raw = {
        "id": rid, "title": "toy", "short_title": "toy",
        "citation": {"authors": ["A"], "title": "toy", "venue": "v", "source_file": "x.txt"},
        "evidence": "tables",
        "sample": {"n": pub(n), "scale_points": pub(scale)},
        "constructs": {c: {"name": c, "items": its} for c, its in items.items()},
        "model": {"kind": kind, "paths": [{"from": x, "to": y} for x, y in paths],
                  "moderations": [dict(x=x, m=m, y=y, method="latent_product") for x, m, y in moderations],
                  "covariances": [dict(a=a, b=b) for a, b in covariances]},
        "results": {"loadings": {k: pub(v) for k, v in (loadings or {}).items()},
                    "constructs": constructs_stats or {},
                    "fit": [{"model": m, "measures": {k: pub(v) for k, v in ms.items()}} for m, ms in fit],
                    "paths": list(path_results)},
        "assumptions": [{"target": t, "value": v, "reason": "test"} for t, v in assumptions],
    }
    return Record.model_validate(raw)
