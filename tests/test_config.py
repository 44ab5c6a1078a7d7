"""posjobs.toml: defaults, values, environment overrides, and mistakes named by key."""

import pytest

from posjobs.config import Settings
from posjobs.errors import UsageError


def settings_from(tmp_path, text, **environ):
    (tmp_path / "posjobs.toml").write_text(text)
    return Settings.load(tmp_path, environ)


def test_defaults_are_the_platforms(tmp_path):
    settings = Settings.load(tmp_path, {})
    assert (settings.time_limits.high, settings.time_limits.default,
            settings.time_limits.low) == (60, 300, 14_400)
    assert settings.environment == "staging"


def test_values_and_environment_overrides(tmp_path):
    settings = settings_from(
        tmp_path,
        'environment = "production"\nlease_seconds = 5\n[time_limits]\nhigh = 10\n'
        "[constants]\nsite = 'x'\n[retention]\nmax_logs = 50\n",
        POSJOBS_TIME_LIMIT_LOW="7", POSJOBS_ENVIRONMENT="qa")
    assert settings.time_limits.high == 10 and settings.time_limits.low == 7
    assert settings.environment == "qa"
    assert settings.lease_seconds == 5
    assert settings.constants == {"site": "x"}
    assert settings.retention.max_logs == 50


@pytest.mark.parametrize(("text", "message"), [
    ('constants = "x"', "constants must be a table"),
    ("time_limits = 5", "time_limits must be a table"),
    ("globals = [1, 2]", "globals must be a table"),
    ("[time_limits]\nhigh = 'soon'", "time_limits.high must be a number of seconds"),
    ("[time_limits]\nurgent = 1", "[time_limits] has no urgent"),
    ("[retention]\ndone_jobs_days = 'x'", "retention.done_jobs_days must be a number of days"),
    ("[retention]\nkeep = 1", "[retention] has no keep"),
    ("lease_seconds = 0", "lease_seconds must be a finite number of seconds above 0"),
    ("lease_seconds = inf", "lease_seconds must be a finite number of seconds above 0"),
    ("lease_seconds = nan", "lease_seconds must be a finite number of seconds above 0"),
    ("lease_seconds = 1e308", "lease_seconds must be between 0.1 and 86400 seconds"),
    ("lease_seconds = 1e-9", "lease_seconds must be between 0.1 and 86400 seconds"),
    ("[time_limits]\nhigh = 1e-9", "time_limits.high must be between 0.01 and"),
    ("[retention]\nmax_done_jobs = 1e30", "retention.max_done_jobs must be between 1 and"),
    ("[retention]\nlog_days = inf", "retention.log_days must be a finite number of days"),
    ("memory_limit_mb = 1", "memory_limit_mb must be between 64 and"),
    ("store_patience = -1", "store_patience must be between 0 and 86400"),
    ("environment = 3", "environment must be a name"),
    ("not toml [", "not valid TOML"),
])
def test_mistakes_are_usage_errors_naming_the_key(tmp_path, text, message):
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        settings_from(tmp_path, text)
