"""Certify this plugin with the conformance kit under each MLflow and Python it supports."""

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"

# The MLflow releases the plugin supports; "none" runs without MLflow at all.
MLFLOW = ["2.9.2", "2.22.5", "3.17.2", "none"]


@nox.session(python=["3.10", "3.11", "3.12"])
@nox.parametrize("mlflow", MLFLOW, ids=MLFLOW)
def conformance(session: nox.Session, mlflow: str) -> None:
    # MLflow sends usage data unless told not to.
    session.env.update({"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"})
    requirements = [] if mlflow == "none" else [f"mlflow-skinny=={mlflow}"]
    session.install(*requirements, "mlflow-deployments-conformance", ".")
    reports = f"reports/python-{session.python}-mlflow-{mlflow}"
    session.run(
        "pytest",
        "-q",
        "--deployment-target=jsondir",
        f"--junitxml={reports}/junit.xml",
        f"--conformance-report={reports}/conformance.json",
        f"--conformance-certificate={reports}/CERTIFICATE.md",
    )
