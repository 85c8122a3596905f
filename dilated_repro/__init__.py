__version__ = "0.1.0"

# The public entry point: a ready model from a released name + weights, a .caffemodel, or any checkpoint of ours,
# and prediction on RGB images as users hold them (path, PIL image, uint8 array, tensor). Imported on first use
# (PEP 562) so that the command line's --help and argument errors do not wait for torch; `dilated_repro.predict` stays
# the function, as it was when this file imported it eagerly, even after the submodule of that name is imported.
import sys as _sys, types as _types

_PUBLIC = {"load_model": "predict", "predict": "predict", "predict_labels": "predict"}  # name -> submodule
__all__ = list(_PUBLIC)

def __getattr__(name):
    if name not in _PUBLIC: raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value
    return value

class _Package(_types.ModuleType):
    def __setattr__(self, name, value):  # the import system binds each loaded submodule here: keep the public function
        if name in _PUBLIC and isinstance(value, _types.ModuleType): return
        super().__setattr__(name, value)

_sys.modules[__name__].__class__ = _Package
