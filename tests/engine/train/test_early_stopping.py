from engine.train import EarlyStopping


def _stop_after(scores, **kwargs):
    es = EarlyStopping(**kwargs)
    for i, score in enumerate(scores, start=1):
        es.update(score)
        if es.should_stop:
            return i
    return None


def test_delay_evaluations_never_count_then_patience_stale_ones_stop():
    assert _stop_after([0.5, 0.6, 0.6, 0.6, 0.6], delay=2, patience=2) == 4


def test_an_improvement_resets_the_count():
    assert _stop_after([0.5, 0.5, 0.6, 0.6, 0.7, 0.7, 0.7], delay=0, patience=2) == 7


def test_no_stop_during_the_delay_whatever_the_scores():
    assert _stop_after([0.9, 0.1, 0.1, 0.1], delay=4, patience=1) is None


def test_disabled_tracks_the_best_but_never_stops():
    es = EarlyStopping(enabled=False, delay=0, patience=1)
    assert [es.update(s) for s in (0.3, 0.2, 0.4)] == [True, False, True]
    assert es.best == 0.4 and not es.should_stop


def test_an_uncomputable_score_is_no_improvement():
    assert _stop_after([None, None], delay=0, patience=2) == 2


def test_state_round_trips():
    es = EarlyStopping(delay=1, patience=3)
    es.update(0.2)
    es.update(0.1)
    again = EarlyStopping()
    again.load_state_dict(es.state_dict())
    assert again == es
