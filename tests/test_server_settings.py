"""Settings: defaults, camelCase keys from both sources, bad values dropped with a warning."""

import dataclasses

from bytelens.server.settings import Settings, apply_settings


def test_defaults_are_the_documented_ones():
    assert Settings() == Settings(max_steps=10_000, time_limit=5.0, memory_limit=512,
                                  compare_with_cpython=False, code_lens=True)


def test_every_setting_has_a_key():
    options = {"maxSteps": 7, "timeLimit": 1.5, "memoryLimit": 256, "compareWithCPython": True,
               "codeLens": False}
    updated, warnings = apply_settings(Settings(), options)
    assert warnings == []
    assert dataclasses.astuple(updated) == (7, 1.5, 256, True, False)


def test_the_section_may_be_nested_and_unknown_keys_are_ignored():
    updated, warnings = apply_settings(Settings(), {"bytelens": {"maxSteps": 99, "somethingElse": 1}})
    assert updated.max_steps == 99 and warnings == []
    assert apply_settings(Settings(), None) == (Settings(), [])


def test_bad_values_keep_the_current_setting_and_warn():
    current = Settings(max_steps=50)
    updated, warnings = apply_settings(current, {"maxSteps": "many", "timeLimit": -1, "codeLens": "yes",
                                                 "memoryLimit": 10})
    assert updated == current
    assert len(warnings) == 4
    assert "'maxSteps'" in warnings[0] and "keeping 50" in warnings[0]


def test_null_restores_the_default_and_integral_floats_are_accepted():
    updated, _ = apply_settings(Settings(max_steps=5, time_limit=1.0), {"maxSteps": None, "timeLimit": 2})
    assert updated.max_steps == 10_000 and updated.time_limit == 2.0
    assert apply_settings(Settings(), {"maxSteps": 20.0})[0].max_steps == 20
    assert apply_settings(Settings(), {"maxSteps": True})[0].max_steps == 10_000
