__version__ = "0.1.0"

# The public entry point: a ready model from a released name + weights, a .caffemodel, or any checkpoint of ours,
# and prediction on RGB images as users hold them (path, PIL image, uint8 array, tensor). The three names live in
# `dilated_repro.prediction` and are imported on first use (PEP 562), so that the command line's --help and argument
# errors do not wait for torch. No submodule shares a name with them: `import dilated_repro.prediction` is the module.
_PUBLIC = ("load_model", "predict", "predict_labels")
__all__ = list(_PUBLIC)

def __getattr__(name):
    if name not in _PUBLIC: raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dilated_repro import prediction
    value = getattr(prediction, name)
    globals()[name] = value
    return value
