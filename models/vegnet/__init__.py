"""veglens model: training, evaluation and ONNX export of the vegetable classifier."""
