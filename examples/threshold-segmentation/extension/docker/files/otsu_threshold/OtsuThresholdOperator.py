"""Airflow operator that runs the Otsu processing container of this extension.

The container (processing-containers/otsus-method) reads the NRRD volumes of every batch element
from this operator's input dir and writes one binary mask per element (``<element>.nrrd``) to
``otsus-method/``, following Kaapana's operator contract (WORKFLOW_DIR, BATCH_NAME,
OPERATOR_IN_DIR, OPERATOR_OUT_DIR).

The image reference uses the 0.1.x tag convention ``<abbr>_<platform-version>__<version>``, the
same tag that ``kaapana-ext build-images --tag-style kp`` pushes.
"""
from datetime import timedelta

from kaapana.operators.KaapanaBaseOperator import (
    KaapanaBaseOperator,
    default_platform_abbr,
    default_platform_version,
    default_registry,
)

# Version of the processing-container image, kept in step with its Dockerfile's LABEL VERSION.
PROCESSING_IMAGE_VERSION = "0.1.0"


class OtsuThresholdOperator(KaapanaBaseOperator):
    def __init__(self, dag, execution_timeout=timedelta(minutes=10), *args, **kwargs):
        tag = f"{default_platform_abbr}_{default_platform_version}__{PROCESSING_IMAGE_VERSION}"
        super().__init__(
            dag=dag,
            name="otsus-method",
            image=f"{default_registry}/example-otsus-method:{tag}",
            image_pull_secrets=["registry-secret"],
            execution_timeout=execution_timeout,
            operator_out_dir="otsus-method/",
            *args,
            **kwargs,
        )
