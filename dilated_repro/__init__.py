__version__ = "0.1.0"

# The public entry point: a ready model from a released name + weights, a .caffemodel, or any checkpoint of ours,
# and prediction on RGB images as users hold them (path, PIL image, uint8 array, tensor).
from .predict import load_model, predict, predict_labels  # noqa: E402,F401
