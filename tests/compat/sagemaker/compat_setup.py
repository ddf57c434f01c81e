"""The environment of the kit's run against MLflow's SageMaker client, loaded with
``-p compat_setup``: moto's ``mock_aws`` stands in for AWS inside the kit's process.

Before the first check, the mock holds what ``mlflow.sagemaker`` needs from an AWS account: an
execution role in IAM, the ``mlflow-pyfunc`` repository in ECR, and an S3 bucket that holds the
two MLflow models to deploy (the kit gets their ``s3://`` URIs). moto patches botocore for the
whole process, so the worker thread on which the kit calls the plugin sees the mock too.

moto's SageMaker runtime answers every ``invoke_endpoint`` from a queue of canned results,
whether or not the endpoint exists. Two small changes make it answer as AWS does: an endpoint
that SageMaker does not have is refused with ``ValidationException``, and an existing endpoint
always gets the canned MLflow scoring reply below. Predictions therefore do not depend on the
deployed model; no check here relies on that, because updates cannot run (moto has no
``UpdateEndpoint``; the profile marks those checks).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import textwrap
import urllib.parse
from pathlib import Path
from typing import Any

REGION = "us-east-1"
BUCKET = "mlflow-compat-models"
ROLE_NAME = "mlflow-compat-sagemaker-execution"
CALLER_ROLE = "moto"  # the name in the ARN moto's STS gives the caller
REPOSITORY = "mlflow-pyfunc"  # the image name mlflow.sagemaker looks for by default
CANNED_PREDICTIONS = {"predictions": [1.5, 2.5, 3.5]}
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}

_MODEL_CODE = """
    import mlflow.models
    import mlflow.pyfunc


    class CompatModel(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return [{value}] * len(model_input)


    mlflow.models.set_model(CompatModel())
"""


class _Environment:
    """The running mock, the resources created in it, and a scratch folder for the models."""

    def __init__(self) -> None:
        os.environ.update(_FAKE_CREDENTIALS)
        # No credentials file or profile of this machine may leak into the mock.
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ.pop("AWS_PROFILE", None)
        from moto import mock_aws

        self.mock = mock_aws()
        self.mock.start()
        self.scratch = Path(tempfile.mkdtemp(prefix="sagemaker-compat-"))
        self._patch_runtime()
        self.role_arn, self.image_url = self._account()
        self.model_uris = [self._upload_model("primary", 1.0), self._upload_model("second", 7.0)]

    def _account(self) -> tuple[str, str]:
        import boto3
        import mlflow.version

        iam = boto3.client("iam", region_name=REGION)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        # Without execution_role_arn (config=None), mlflow.sagemaker takes the role from the
        # caller's ARN, as for an assumed-role session. moto's caller is "user/moto", so a role
        # of that name lets the lookup succeed as it does in an account set up for SageMaker.
        iam.create_role(RoleName=CALLER_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        ecr = boto3.client("ecr", region_name=REGION)
        repository = ecr.create_repository(repositoryName=REPOSITORY)["repository"]
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        return role["Role"]["Arn"], f"{repository['repositoryUri']}:{mlflow.version.VERSION}"

    def _upload_model(self, name: str, value: float) -> str:
        """Save a tiny pyfunc model and upload its folder to the mocked bucket."""
        import boto3
        import mlflow.pyfunc

        code = self.scratch / f"{name}_model.py"
        code.write_text(textwrap.dedent(_MODEL_CODE).replace("{value}", repr(value)))
        folder = self.scratch / name
        # Explicit requirements: inferring them would start a subprocess for nothing.
        mlflow.pyfunc.save_model(str(folder), python_model=str(code), pip_requirements=["mlflow"])
        s3 = boto3.client("s3", region_name=REGION)
        for path in folder.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), BUCKET, f"models/{name}/{path.relative_to(folder)}")
        return f"s3://{BUCKET}/models/{name}"

    @staticmethod
    def _patch_runtime() -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sagemaker.exceptions import ValidationError
        from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
        from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

        original = SageMakerRuntimeResponse.invoke_endpoint
        canned = (json.dumps(CANNED_PREDICTIONS), "application/json", "AllTraffic", "")

        def invoke_endpoint(self: SageMakerRuntimeResponse) -> Any:
            # The endpoint's name is in the path: /endpoints/<name>/invocations.
            name = urllib.parse.unquote(self.path.split("?")[0].split("/")[2])
            if name not in sagemaker_backends[DEFAULT_ACCOUNT_ID][self.region].endpoints:
                # What AWS answers for an endpoint it does not have.
                raise ValidationError(
                    message=f"Endpoint {name} of account {DEFAULT_ACCOUNT_ID} not found."
                )
            backend = self.sagemakerruntime_backend
            if not backend.results_queue:
                backend.results_queue.append(canned)
            return original(self)

        SageMakerRuntimeResponse.invoke_endpoint = invoke_endpoint  # type: ignore[method-assign]

        create_endpoint = SageMakerModelBackend.create_endpoint

        def create_endpoint_once(self: SageMakerModelBackend, **kwargs: Any) -> Any:
            # moto replaces an existing endpoint silently; AWS refuses the second create.
            existing = self.endpoints.get(kwargs["endpoint_name"])
            if existing is not None:
                raise ValidationError(
                    message=f'Cannot create already existing endpoint "{existing.arn}".'
                )
            return create_endpoint(self, **kwargs)

        SageMakerModelBackend.create_endpoint = create_endpoint_once  # type: ignore[method-assign]

    def close(self) -> None:
        self.mock.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


_ENVIRONMENT: _Environment | None = None


def environment() -> _Environment:
    """Built on first use: the kit may ask for its profile before pytest_configure runs here."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _Environment()
    return _ENVIRONMENT


def pytest_configure(config: Any) -> None:
    environment()


def pytest_conformance_profile(config: Any) -> dict[str, Any]:
    env = environment()
    return {
        "config": {
            "execution_role_arn": env.role_arn,
            "image_url": env.image_url,
            "bucket": BUCKET,
            "region_name": REGION,
            "timeout_seconds": 60,
        }
    }


def pytest_conformance_models(config: Any, target_uri: str) -> list[str]:
    return list(environment().model_uris)


def pytest_unconfigure(config: Any) -> None:
    if _ENVIRONMENT is not None:
        _ENVIRONMENT.close()
