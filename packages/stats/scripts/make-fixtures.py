#!/usr/bin/python3
"""Generate the SciPy reference fixtures that @crystallize/stats is tested against.

How to run (from the repository root, on Debian/Ubuntu):

    apt-get install -y python3-scipy python3-numpy python3-statsmodels python3-mpmath
    /usr/bin/python3 packages/stats/scripts/make-fixtures.py

Call Debian's /usr/bin/python3 explicitly: a pyenv/venv `python3` earlier on PATH usually has no
SciPy. The script is deterministic (fixed NumPy seed); re-running it with the same SciPy version
rewrites identical files.

What it writes, under packages/stats/test/fixtures/scipy/:

  two-sample.json   independent samples: scipy.stats.ttest_ind (Welch and Student),
                    mannwhitneyu ('auto', 'exact', 'asymptotic'), for each alternative; the
                    t-based 95% confidence interval of the mean difference, with the t quantile
                    from mpmath (SciPy 1.10's stdtrit is only ~5e-9 accurate);
                    Cohen's d, Hedges' g and Cliff's delta computed here with NumPy/SciPy.
  paired.json       paired samples: scipy.stats.ttest_rel and the 95% CI (mpmath quantile).
  p-value-adjustment.json  statsmodels' multipletests 'holm' and 'fdr_bh' (Debian's
                    python3-statsmodels; SciPy 1.10 has no multiple-testing correction).
  permutation.json  small independent samples: scipy.stats.permutation_test with
                    n_resamples=inf (the exact permutation distribution of the mean difference).

Conventions are the framework's: every test is called as f(treatment, baseline), so t is
treatment minus baseline and U is the treatment sample's.

Where SciPy is *not* the reference:
  * mannwhitneyu(method='exact') on data with ties: SciPy 1.10 truncates a half-integer U and
    uses the no-ties distribution, which is wrong; those cases are not written. The TS code uses
    the exact permutation distribution of the tie-corrected statistic instead (tested separately).
  * permutation_test with random resampling depends on NumPy's generator; only exact
    (all-permutations) cases are written.
"""

import json
import math
import os
import sys

import mpmath
import numpy as np
import scipy
from scipy import special, stats

ALTERNATIVES = ("two-sided", "less", "greater")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "scipy")
rng = np.random.default_rng(20261101)


def f(x):
    """A JSON-safe float: NaN and infinities become strings the TS loader maps back."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def t_quantile(df, p):
    """Student's t quantile to 40 digits with mpmath.

    SciPy 1.10's special.stdtrit (cdflib) is accurate to only ~5e-9 relative (e.g. df=30,
    p=0.95), too coarse for a 1e-9 check; it serves as the starting point of the root search.
    """
    mpmath.mp.dps = 40
    v, target = mpmath.mpf(float(df)), mpmath.mpf(float(p))

    def cdf(x):
        tail = mpmath.betainc(v / 2, mpmath.mpf(1) / 2, 0, v / (v + x * x), regularized=True) / 2
        return 1 - tail if x > 0 else tail

    return float(mpmath.findroot(lambda x: cdf(x) - target, mpmath.mpf(float(special.stdtrit(df, p)))))


def has_ties(*samples):
    allv = np.concatenate(samples)
    return len(np.unique(allv)) < len(allv)


# ---------------------------------------------------------------- independent samples

def ttest_block(t, b, equal_var):
    out = {}
    n1, n2 = len(t), len(b)
    v1, v2 = np.var(t, ddof=1), np.var(b, ddof=1)
    if equal_var:
        df = n1 + n2 - 2.0
        se = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df * (1.0 / n1 + 1.0 / n2))
    else:
        vn1, vn2 = v1 / n1, v2 / n2
        df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1)) if vn1 + vn2 > 0 else 1.0
        se = math.sqrt(vn1 + vn2)
    for alt in ALTERNATIVES:
        r = stats.ttest_ind(t, b, equal_var=equal_var, alternative=alt)
        out[alt] = {"statistic": f(r.statistic), "p_value": f(r.pvalue)}
    d = float(np.mean(t) - np.mean(b))
    q = t_quantile(df, 0.975)
    out["df"] = f(df)
    out["mean_diff"] = f(d)
    out["ci95"] = [f(d - q * se), f(d + q * se)]
    return out


def effect_sizes(t, b):
    n1, n2 = len(t), len(b)
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * np.var(t, ddof=1) + (n2 - 1) * np.var(b, ddof=1)) / df)
    d = (np.mean(t) - np.mean(b)) / sp if sp > 0 else float("nan")
    # exact small-sample correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    gt = np.sum(t[:, None] > b[None, :])
    lt = np.sum(t[:, None] < b[None, :])
    return {"cohens_d": f(d), "hedges_g": f(d * j), "cliffs_delta": f((gt - lt) / (n1 * n2))}


def mwu_block(t, b):
    out = {}
    ties = has_ties(t, b)
    for method in ("auto", "exact", "asymptotic"):
        if method == "exact" and ties:
            continue  # SciPy 1.10's exact path ignores ties; see the module docstring
        if method == "exact" and (min(len(t), len(b)) > 30 or len(t) * len(b) > 12000):
            continue  # SciPy's recursion is slow and memory-hungry there
        out[method] = {}
        for alt in ALTERNATIVES:
            r = stats.mannwhitneyu(t, b, alternative=alt, method=method)
            out[method][alt] = {"statistic": f(r.statistic), "p_value": f(r.pvalue)}
    out["auto_method"] = "asymptotic" if (len(t) > 8 and len(b) > 8) or ties else "exact"
    return out


def two_sample_case(name, t, b):
    t = np.asarray(t, dtype=float)
    b = np.asarray(b, dtype=float)
    return {
        "name": name,
        "baseline": [float(x) for x in b],
        "treatment": [float(x) for x in t],
        "welch": ttest_block(t, b, equal_var=False),
        "student": ttest_block(t, b, equal_var=True),
        "mann_whitney": mwu_block(t, b),
        "effect": effect_sizes(t, b),
    }


def two_sample_cases():
    cases = []
    for n in (2, 3, 4, 5, 7, 8, 9, 12, 20, 35, 50, 100, 250, 1000):
        for rep in range(3 if n <= 100 else 1):
            shift = (0.0, 0.5, 2.0)[rep % 3]
            b = rng.normal(10, 2, n)
            t = rng.normal(10 + shift, 2, n)
            cases.append(two_sample_case(f"normal n={n} shift={shift}", t, b))
    for n1, n2, s1, s2 in [(3, 9, 1, 5), (5, 40, 0.1, 3), (12, 6, 4, 0.5), (30, 300, 1, 10),
                           (8, 8, 1, 20), (2, 15, 3, 0.2), (60, 25, 0.01, 1), (1000, 10, 1, 3),
                           (9, 11, 2, 2), (4, 6, 10, 1)]:
        for shift in (0.0, 1.0):
            t = rng.normal(shift, s1, n1)
            b = rng.normal(0, s2, n2)
            cases.append(two_sample_case(f"unequal var n={n1},{n2} sd={s1},{s2} shift={shift}", t, b))
    for n1, n2, k in [(5, 5, 3), (6, 8, 4), (10, 10, 5), (20, 30, 6), (50, 50, 10), (7, 3, 2),
                      (100, 120, 20), (15, 4, 3), (3, 3, 2), (25, 25, 3)]:
        t = rng.integers(0, k, n1) + (1 if n1 % 2 else 0)
        b = rng.integers(0, k, n2)
        cases.append(two_sample_case(f"ties n={n1},{n2} levels={k}", t, b))
    for n in (2, 5, 10, 40):
        x = rng.normal(3, 1, n)
        cases.append(two_sample_case(f"identical n={n}", x.copy(), x.copy()))
    for n1, n2, dfree in [(5, 5, 1.0), (10, 12, 1.5), (30, 30, 2.5), (100, 80, 1.2), (8, 40, 3.0),
                          (500, 500, 1.5)]:
        t = rng.standard_t(dfree, n1) + 0.3
        b = rng.standard_t(dfree, n2)
        cases.append(two_sample_case(f"heavy tails t({dfree}) n={n1},{n2}", t, b))
    for n1, n2 in [(6, 7), (20, 20), (50, 60), (200, 200)]:
        t = rng.normal(4, 1, n1)
        b = rng.normal(0, 1, n2)
        cases.append(two_sample_case(f"far apart (tiny p) n={n1},{n2}", t, b))
    for n1, n2 in [(4, 6), (10, 10)]:
        t = rng.normal(1e6, 1, n1)
        b = rng.normal(1e6 + 0.5, 1, n2)
        cases.append(two_sample_case(f"large offset n={n1},{n2}", t, b))
    t = np.array([5.0, 5.0, 5.0, 5.0])
    b = rng.normal(4, 1, 6)
    cases.append(two_sample_case("zero variance in treatment only", t, b))
    t = rng.exponential(1, 40)
    b = rng.exponential(1.5, 33)
    cases.append(two_sample_case("skewed exponential n=40,33", t, b))
    for i in range(120):
        n1, n2 = (int(x) for x in rng.integers(2, 61, 2))
        kind = i % 4
        if kind == 0:
            t, b = rng.normal(0.3, 1, n1), rng.normal(0, 1.5, n2)
        elif kind == 1:
            t, b = rng.lognormal(0.2, 1, n1), rng.lognormal(0, 1, n2)
        elif kind == 2:
            t, b = rng.standard_cauchy(n1), rng.standard_cauchy(n2) - 0.5
        else:
            t, b = np.round(rng.normal(5.3, 2, n1)), np.round(rng.normal(5, 2, n2))
        kinds = ("normal", "lognormal", "cauchy", "rounded normal (ties)")
        cases.append(two_sample_case(f"random {kinds[kind]} n={n1},{n2}", t, b))
    return cases


# ---------------------------------------------------------------- paired samples

def paired_case(name, t, b):
    t = np.asarray(t, dtype=float)
    b = np.asarray(b, dtype=float)
    out = {"name": name, "baseline": [float(x) for x in b], "treatment": [float(x) for x in t]}
    for alt in ALTERNATIVES:
        r = stats.ttest_rel(t, b, alternative=alt)
        out[alt] = {"statistic": f(r.statistic), "p_value": f(r.pvalue)}
    r = stats.ttest_rel(t, b)
    d = t - b
    se = np.std(d, ddof=1) / math.sqrt(len(d))
    q = t_quantile(r.df, 0.975)  # not r.confidence_interval(): it uses stdtrit (see t_quantile)
    out["df"] = f(r.df)
    out["mean_diff"] = f(np.mean(d))
    out["ci95"] = [f(np.mean(d) - q * se), f(np.mean(d) + q * se)]
    d = t - b
    out["cohens_dz"] = f(np.mean(d) / np.std(d, ddof=1))
    return out


def paired_cases():
    cases = []
    for n in (2, 3, 5, 8, 10, 20, 50, 100, 300, 1000):
        for shift in (0.0, 0.2, 1.5):
            b = rng.normal(5, 3, n)
            t = b + rng.normal(shift, 1, n)
            cases.append(paired_case(f"correlated n={n} shift={shift}", t, b))
    for n in (4, 12, 60):
        b = rng.standard_t(1.5, n)
        t = b + rng.standard_t(1.5, n) + 0.5
        cases.append(paired_case(f"heavy tails n={n}", t, b))
    for n in (6, 30):
        b = rng.normal(0, 1, n)
        t = b + 3 + rng.normal(0, 0.3, n)
        cases.append(paired_case(f"large effect n={n}", t, b))
    return cases


# ---------------------------------------------------------------- exact permutation test

def perm_case(name, t, b):
    t = np.asarray(t, dtype=float)
    b = np.asarray(b, dtype=float)
    out = {"name": name, "baseline": [float(x) for x in b], "treatment": [float(x) for x in t]}

    def stat(x, y, axis=-1):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    for alt in ALTERNATIVES:
        r = stats.permutation_test((t, b), stat, permutation_type="independent",
                                   vectorized=True, n_resamples=np.inf, alternative=alt)
        out[alt] = {"statistic": f(r.statistic), "p_value": f(r.pvalue)}
    return out


def perm_cases():
    cases = []
    for n1, n2 in [(2, 2), (2, 3), (3, 3), (4, 4), (3, 6), (5, 5), (6, 4), (6, 6), (7, 5), (8, 6)]:
        for shift in (0.0, 1.0, 3.0):
            t = rng.normal(shift, 1, n1)
            b = rng.normal(0, 1, n2)
            cases.append(perm_case(f"normal n={n1},{n2} shift={shift}", t, b))
    cases.append(perm_case("ties n=5,5", [1, 2, 2, 3, 3], [1, 1, 2, 2, 3]))
    cases.append(perm_case("identical n=4", [1.5, 2.5, 0.5, 4.0], [1.5, 2.5, 0.5, 4.0]))
    return cases


# ---------------------------------------------------------------- multiple comparisons

def adjustment_cases():
    from statsmodels.stats.multitest import multipletests
    cases = []
    vectors = [[0.01, 0.02, 0.03, 0.04, 0.05], [0.04, 0.001, 0.03, 0.2, 0.0105, 0.5],
               [0.9, 0.9, 0.9], [0.0, 1.0, 0.5], [0.05], [1e-12, 3e-10, 0.049, 0.051]]
    for m in (2, 7, 20, 100):
        vectors.append([float(x) for x in rng.uniform(0, 0.2, m)])
        vectors.append([float(x) for x in rng.beta(0.3, 3, m)])
    for p in vectors:
        out = {"p_values": p}
        for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
            out[ours] = [f(x) for x in multipletests(p, method=theirs)[1]]
        cases.append(out)
    return cases


def write(name, cases):
    path = os.path.join(OUT, name)
    payload = {
        "generator": "packages/stats/scripts/make-fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(path, "w") as fh:
        json.dump(payload, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write("two-sample.json", two_sample_cases())
    write("paired.json", paired_cases())
    write("permutation.json", perm_cases())
    payload_cases = adjustment_cases()
    write("p-value-adjustment.json", payload_cases)
