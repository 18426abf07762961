"""Airflow operator (Kaapana 0.6.0 style) running the Otsu processing container of this extension.

The image is the one build-images pushes: <DEFAULT_REGISTRY>/kx-otsus-method:<KAAPANA_BUILD_VERSION>,
i.e. the platform's registry and version. image_pull_policy IfNotPresent lets a platform that
imported the image from an uploaded tarball run it (drag_and_drop_workflow_extension.rst).
"""
from datetime import timedelta

from kaapana.operators.KaapanaBaseOperator import KaapanaBaseOperator
from kaapana.blueprints.kaapana_global_variables import (
    DEFAULT_REGISTRY,
    KAAPANA_BUILD_VERSION,
)


class KxOtsusMethodOperator(KaapanaBaseOperator):
    def __init__(
        self,
        dag,
        name="kx-otsus-method",
        execution_timeout=timedelta(minutes=10),
        *args,
        **kwargs,
    ):
        super().__init__(
            dag=dag,
            name=name,
            image=f"{DEFAULT_REGISTRY}/kx-otsus-method:{KAAPANA_BUILD_VERSION}",
            image_pull_secrets=["registry-secret"],
            image_pull_policy="IfNotPresent",
            execution_timeout=execution_timeout,
            *args,
            **kwargs,
        )
