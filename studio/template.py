"""The job a new file starts from: valid as it stands, with comments that say what to fill in."""

JOB_TEMPLATE = """\
# An AutoML image multi-label classification job (Azure ML CLI v2 format).
# Ctrl+Space completes keys and values; F2 explains the key under the cursor.
$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json
type: automl
task: image_classification_multilabel

experiment_name: my-experiment
description: Multi-label image classification

# The metric that picks the best trial.
primary_metric: iou

# The label column of the JSONL rows.
target_column_name: label
training_data:
  # A local MLTable folder, relative to this file.
  path: data/training-mltable-folder
  type: mltable
# Without validation_data, a random 20% of the training data is held out.
# validation_data:
#   path: data/validation-mltable-folder
#   type: mltable

limits:
  max_trials: 1
  max_concurrent_trials: 1
  timeout_minutes: 60

training_parameters:
  model_name: resnet18
  number_of_epochs: 5
  early_stopping: true

# To try several models or settings, add a sweep and a search space:
# sweep:
#   sampling_algorithm: random
# search_space:
#   - model_name:
#       type: choice
#       values: [resnet18, mobilenetv2]
#     learning_rate:
#       type: uniform
#       min_value: 0.005
#       max_value: 0.05
"""
