"""DAG ``kx-otsus-method`` (Kaapana 0.6.0): segment a series with Otsu's method and send the mask
back to the PACS as DICOM SEG.

get input -> DICOM to NRRD -> Otsu (our processing container) -> DICOM SEG -> send -> clean.
"""
from datetime import timedelta

from airflow.models import DAG
from airflow.utils.dates import days_ago

from kaapana.operators.GetInputOperator import GetInputOperator
from kaapana.operators.DcmConverterOperator import DcmConverterOperator
from kaapana.operators.Itk2DcmSegOperator import Itk2DcmSegOperator
from kaapana.operators.DcmSendOperator import DcmSendOperator
from kaapana.operators.LocalWorkflowCleanerOperator import LocalWorkflowCleanerOperator
from kx_otsus_method.KxOtsusMethodOperator import KxOtsusMethodOperator

ui_forms = {
    "workflow_form": {
        "type": "object",
        "properties": {
            "single_execution": {
                "title": "single execution",
                "description": "Should each series be processed separately?",
                "type": "boolean",
                "default": False,
                "readOnly": False,
            }
        },
    }
}

args = {
    "ui_forms": ui_forms,
    "ui_visible": True,
    "owner": "kaapana",
    "start_date": days_ago(0),
    "retries": 0,
    "retry_delay": timedelta(seconds=30),
}

dag = DAG(dag_id="kx-otsus-method", default_args=args, schedule_interval=None)

get_input = GetInputOperator(dag=dag)
convert = DcmConverterOperator(dag=dag, input_operator=get_input)
otsu = KxOtsusMethodOperator(dag=dag, input_operator=convert)
seg_to_dcm = Itk2DcmSegOperator(
    dag=dag,
    segmentation_operator=otsu,
    single_label_seg_info="foreground",
    input_operator=get_input,
    series_description="Otsu's method (kaapana-ext)",
)
dcm_send = DcmSendOperator(dag=dag, input_operator=seg_to_dcm)
clean = LocalWorkflowCleanerOperator(dag=dag, clean_workflow_dir=True)

get_input >> convert >> otsu >> seg_to_dcm >> dcm_send >> clean
