"""Run inputs: what the profile's settings (and the hooks that may stand in for them) give the
checks to deploy and predict with — the models, the sample input, the create config — and the
predictions the kit expects of them.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from conformance._profile import Profile
from conformance._verdicts import PreconditionFailed

if TYPE_CHECKING:
    import pytest

    from conformance._models import ModelPair

__all__ = ["NO_MODEL", "RunInputs"]

# Begins the reason of every check that could not run for want of a model to deploy.
NO_MODEL = "no model to deploy to"


class RunInputs:
    """The models, sample input and create config of one process's run, resolved once.

    Each setting comes from its command-line option first, then from its hook, then from the
    profile; the kit's defaults fill in what none of them gives. ``lock`` serialises the lazy
    set-up the run's threads may ask for at once.
    """

    def __init__(self, config: pytest.Config, profile: Profile, lock: threading.RLock) -> None:
        self.config = config
        self.profile = profile
        self._lock = lock
        self._models: ModelPair | None = None
        self._input: Any = None
        self._input_is_default = True

    def _hooked(self, option: str, hook: Callable[..., Any]) -> tuple[Any, Any]:
        """The command-line ``option``'s value and, only when it gives none, ``hook``'s answer:
        an option beats the hook, and the hook beats the profile."""
        given = getattr(self.config.option, option, None)
        if given:
            return given, None
        return None, hook(config=self.config, target_uri=self.profile.target)

    # -- models -----------------------------------------------------------------------------------

    def models(self) -> ModelPair:
        """The models to deploy; without any, a clear error says which option to set."""
        with self._lock:
            if self._models is None:
                self._models = self._resolve_models()
            return self._models

    def _resolve_models(self) -> ModelPair:
        from conformance._models import ModelPair, default_models
        from conformance.api._targets import parse_target_uri

        given, hooked = self._hooked(
            "conformance_model_uris", self.config.hook.pytest_conformance_models
        )
        uris = list(given or hooked or self.profile.model_uris)
        if uris:
            source = "the pytest_conformance_models hook" if hooked else "the profile"
            second = uris[1] if len(uris) > 1 else None
            return ModelPair(uris[0], second, source)
        pair = default_models(parse_target_uri(self.profile.target))
        if pair is None:
            raise PreconditionFailed(
                f"{NO_MODEL} {self.profile.target!r}: pass "
                "--deployment-model-uri twice (the primary model, then the model to "
                "update to), or install the kit's mlflow extra so it can save two tiny "
                "pyfunc models itself"
            )
        return pair

    # -- the sample input -------------------------------------------------------------------------

    def sample_input(self) -> Any:
        """A fresh copy of the sample input for each call, so no call sees another's changes."""
        with self._lock:
            return copy.deepcopy(self._read_input())

    @property
    def input_is_default(self) -> bool:
        """True when the sample input is the kit's own default one (no option, hook or profile
        gave one), whose predictions the kit's default models are known to make."""
        with self._lock:
            self._read_input()
            return self._input_is_default

    def _read_input(self) -> Any:
        if self._input is None:
            from conformance._inputs import default_input, read_input

            _, hooked = self._hooked(
                "conformance_input", self.config.hook.pytest_conformance_sample_input
            )
            if hooked is not None:
                self._input, self._input_is_default = hooked, False
            elif self.profile.input:
                self._input = read_input(self.profile.input, self.profile.input_format)
                self._input_is_default = False
            else:
                self._input = default_input()
        return self._input

    # -- what to create with, and what to expect --------------------------------------------------

    @property
    def create_config(self) -> dict[str, Any]:
        """The config passed to create: the profile's, as a dict even when empty.

        MLflow's CLI always passes a dict; ``deployment.create.config-none`` checks None.
        """
        return dict(self.profile.config)

    def expected_predictions(self, model_uri: str) -> list[Any] | None:
        """Exact predictions for ``model_uri`` on the sample input, when the kit knows them."""
        return self.models().expected(model_uri, self.sample_input(), self.input_is_default)
