"""Krippendorff's alpha by hand, against the literature's worked example and the package."""

from __future__ import annotations

import numpy as np
import pytest

from treatylab.evals.agreement import coincidences, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 coders x 12 units
# example with missing values; the paper gives alpha .743 nominal, .815 ordinal, .849 interval.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Two raters, three units: (1, 1), (2, 3), (3, 3).
SMALL = [[1, 2, 3], [1, 3, 3]]


def test_coincidence_matrix_by_hand() -> None:
    values, o = coincidences(SMALL)
    assert values.tolist() == [1.0, 2.0, 3.0]
    # unit 1 gives (1,1) twice, unit 2 (2,3) and (3,2), unit 3 (3,3) twice; weight 1/(2-1)
    assert o.tolist() == [[2, 0, 0], [0, 0, 1], [0, 1, 2]]


def test_interval_alpha_by_hand() -> None:
    # n = 6, n_c = (2, 1, 3); observed sum o*d2 = 2 * (3-2)^2 = 2;
    # expected sum n_c n_k d2 = 2 * (2*1*1 + 2*3*4 + 1*3*1) = 58; alpha = 1 - 5 * 2 / 58
    assert krippendorff_alpha(SMALL, "interval") == pytest.approx(48 / 58)


def test_ordinal_alpha_by_hand() -> None:
    # d2_12 = (2 + 1 - 3/2)^2 = 2.25, d2_13 = (6 - 5/2)^2 = 12.25, d2_23 = (4 - 2)^2 = 4;
    # observed 2 * 4 = 8; expected 2 * (2*1*2.25 + 2*3*12.25 + 1*3*4) = 180
    assert krippendorff_alpha(SMALL, "ordinal") == pytest.approx(1 - 5 * 8 / 180)


def test_nominal_alpha_by_hand() -> None:
    # observed disagreements 2 (the pair in unit 2); expected 2*(2*1 + 2*3 + 1*3) = 22
    assert krippendorff_alpha(SMALL, "nominal") == pytest.approx(1 - 5 * 2 / 22)


@pytest.mark.parametrize(("level", "published"),
                         [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_the_papers_worked_example(level: str, published: float) -> None:
    assert krippendorff_alpha(PAPER, level) == pytest.approx(published, abs=5e-4)


def test_perfect_agreement_and_undefined_cases() -> None:
    assert krippendorff_alpha([[1, 2, 5], [1, 2, 5]], "ordinal") == 1.0
    assert krippendorff_alpha([[3, 3], [3, 3]], "interval") is None  # no expected disagreement
    assert krippendorff_alpha([[1, None], [None, 2]], "interval") is None  # nothing pairable
    assert krippendorff_alpha([], "interval") is None
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha(SMALL, "ratio")  # type: ignore[arg-type]


def test_missing_values_as_nan_equal_none() -> None:
    as_nan = [[np.nan if v is None else v for v in row] for row in PAPER]
    assert krippendorff_alpha(as_nan, "interval") == krippendorff_alpha(PAPER, "interval")


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_the_krippendorff_package(level: str, seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")  # test-only dependency
    rng = np.random.default_rng(seed)
    raters, units = int(rng.integers(2, 5)), int(rng.integers(3, 12))
    data = rng.integers(1, 6, size=(raters, units)).astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    ours = krippendorff_alpha(data.tolist(), level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                value_domain=[1, 2, 3, 4, 5])
    assert ours == pytest.approx(float(theirs), abs=1e-9)
    paper = krippendorff.alpha(reliability_data=np.array(PAPER, dtype=float),
                               level_of_measurement=level)
    assert krippendorff_alpha(PAPER, level) == pytest.approx(float(paper), abs=1e-12)
