"""The voice-leading checker against hand-made cases (no model needed)."""
from __future__ import annotations

import numpy as np
import pytest

from playground.music.voice_leading import Key, find_key, find_parallels, report, where


def grid(*voices: list[int], hold: int = 4) -> np.ndarray:
    """Four voices (missing ones silent), each note held ``hold`` 16th steps."""
    cols = [np.repeat(v, hold) for v in voices]
    T = len(cols[0])
    cols += [np.full(T, -1)] * (4 - len(cols))
    return np.stack(cols, axis=1)


def test_parallel_fifths_between_two_voices():
    g = grid([67, 69, 71], [60, 62, 64])  # G-C, A-D, B-E: fifths moving up together
    rep = report(g)
    assert rep.count("fifths") == 2 and rep.count("octaves") == 0
    assert rep.moving_pairs == 2 and rep.parallel_rate == 1.0
    assert [(p.step, p.upper, p.lower) for p in rep.parallels] == [(4, 0, 1), (8, 0, 1)]
    assert any("Parallel fifths between the soprano and the alto" in s for s in rep.summary())


def test_parallel_octaves_and_unisons_and_compound_intervals():
    octaves = report(grid([72, 74, 76], [60, 62, 64]))
    assert octaves.count("octaves") == 2 and octaves.count("fifths") == 0
    unisons = report(grid([64, 65], [64, 65]))
    assert unisons.count("octaves") == 1
    twelfth_to_fifth = find_parallels(grid([79, 74], [60, 67]))[0]  # 12th then 5th, contrary motion
    assert twelfth_to_fifth == []


def test_contrary_and_oblique_motion_are_not_parallels():
    contrary = report(grid([67, 65, 64], [60, 62, 57]))  # P5, M3 (not perfect), ...
    assert contrary.parallels == [] and contrary.moving_pairs == 2
    oblique = report(grid([67, 67, 67], [60, 62, 64]))  # the upper voice holds: the pair never both move
    assert oblique.parallels == [] and oblique.moving_pairs == 0
    down_together = report(grid([67, 62], [60, 55]))  # G/C -> D/G: fifths moving down together
    assert down_together.count("fifths") == 1
    opposite = report(grid([67, 74], [60, 55]))  # P5 -> P5 compound (74-55=19) by contrary motion
    assert opposite.parallels == [] and opposite.moving_pairs == 1


def test_crossing_counted_per_step():
    g = grid([72, 72, 72, 72], [67, 74, 67, 67], [60, 60, 60, 60], [48, 48, 48, 48])
    rep = report(g)
    assert rep.crossings == [(t, 0, 1) for t in range(4, 8)]
    assert rep.crossing_steps == 4 and rep.crossing_rate == pytest.approx(4 / 16)
    assert any("alto goes above the soprano at bar 1 beat 2" in s for s in rep.summary())


def test_c_major_scale_is_in_c_major_and_in_range():
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    rep = report(grid(scale, [55, 57, 60, 60, 64, 65, 67, 67], [52] * 8, [48] * 8))
    assert rep.key == Key(0, "major") and rep.key.name == "C major"
    assert rep.in_key == 1.0 and rep.notes[0] == 8
    assert rep.out_of_range_total == 0 and "Every voice stays within its usual range." in rep.summary()
    assert rep.crossings == [] and "No voices cross." in rep.summary()


def test_out_of_key_and_out_of_range_notes():
    rep = report(grid([60, 62, 64, 65, 67, 66, 67, 72], [55] * 8, [52] * 8, [36] * 8))
    assert rep.key.name == "C major"
    assert rep.in_key_notes[0] == 7 and rep.notes[0] == 8  # F# is not in C major
    assert rep.out_of_range[3] == [(0, 36)]  # the bass C2 is below E2, counted once (one note)
    assert any("bass leaves its range" in s for s in rep.summary())


def test_minor_keys_and_raised_degrees():
    a_minor = [69, 71, 72, 74, 76, 77, 78, 79, 80, 81, 76, 69]
    key = find_key(np.array(a_minor))
    assert key == Key(9, "minor")
    assert key.contains(np.array([80, 78])).all()  # G# and F#: raised 7th and 6th count as in the key
    assert not key.contains(np.array([70])).any()  # Bb does not


def test_where_names_bars_and_beats():
    assert where(0) == "bar 1 beat 1" and where(6) == "bar 1 beat 2.5" and where(20) == "bar 2 beat 2"


def test_bad_grid_shape():
    with pytest.raises(ValueError):
        report(np.zeros((8, 3), dtype=int))
    with pytest.raises(ValueError):
        find_key(np.full(4, -1))


@pytest.mark.parametrize("g", [
    grid([67, 69, 71], [60, 62, 64]),  # parallel fifths
    grid([72, 74, 76], [60, 62, 64]),  # parallel octaves
    grid([72, 72, 72, 72], [67, 74, 67, 67], [60, 60, 60, 60], [48, 48, 48, 48]),  # a crossing
    grid([60, 62, 64, 65, 67, 66, 67, 72], [55] * 8, [52] * 8, [36] * 8),  # out of key and range
    grid([69, 71, 72, 74, 76, 77, 79, 81], [64] * 8, [57] * 8, [45] * 8),  # A minor, the soprano too high
])
def test_every_report_line_reads_in_spanish(g):
    from tabs.i18n import sentence

    for line in report(g).summary():
        spanish = sentence(line, "es")
        assert spanish != line, line
        for english in ("bar ", " beat ", "major", "minor", " times", "voices", "the alto", "bass "):
            assert english not in spanish, (line, spanish)
