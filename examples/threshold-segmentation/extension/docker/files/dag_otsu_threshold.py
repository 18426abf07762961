"""DAG ``example-otsus-method``: segment a DICOM series with Otsu's method and send the result
back to the platform's PACS as DICOM SEG.

Pipeline: fetch the selected series -> convert DICOM to NRRD -> Otsu threshold (our processing
container) -> mask to DICOM SEG (single label) -> send to the PACS -> clean the workflow dir.
"""
from datetime import timedelta

from airflow.models import DAG
from airflow.utils.dates import days_ago

from kaapana.operators.DcmConverterOperator import DcmConverterOperator
from kaapana.operators.DcmSendOperator import DcmSendOperator
from kaapana.operators.Itk2DcmSegOperator import Itk2DcmSegOperator
from kaapana.operators.LocalGetInputDataOperator import LocalGetInputDataOperator
from kaapana.operators.LocalWorkflowCleanerOperator import LocalWorkflowCleanerOperator
from otsu_threshold.OtsuThresholdOperator import OtsuThresholdOperator

# Form shown in the platform's UI when the workflow is started.
ui_forms = {
    "workflow_form": {
        "type": "object",
        "properties": {
            "single_execution": {
                "title": "single execution",
                "description": "Process each series in its own DAG run?",
                "type": "boolean",
                "default": False,
                "readOnly": False,
            }
        },
    }
}

default_args = {
    "ui_forms": ui_forms,
    "ui_visible": True,
    "owner": "kaapana",
    "start_date": days_ago(0),
    "retries": 0,
    "retry_delay": timedelta(seconds=30),
}

dag = DAG(dag_id="example-otsus-method", default_args=default_args, schedule_interval=None)

get_input = LocalGetInputDataOperator(dag=dag)
to_nrrd = DcmConverterOperator(dag=dag, input_operator=get_input)
otsu = OtsuThresholdOperator(dag=dag, input_operator=to_nrrd)
to_seg = Itk2DcmSegOperator(
    dag=dag,
    input_operator=get_input,
    segmentation_operator=otsu,
    single_label_seg_info="abdomen",
    series_description="Otsu's method",
)
send = DcmSendOperator(dag=dag, input_operator=to_seg)
clean = LocalWorkflowCleanerOperator(dag=dag, clean_workflow_dir=True)

get_input >> to_nrrd >> otsu >> to_seg >> send >> clean
