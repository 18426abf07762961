# Operator package of the threshold-segmentation extension (installed next to the DAG file).
