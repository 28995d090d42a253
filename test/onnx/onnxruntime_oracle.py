# Oracle for `mveb-torch export --format onnx`: ONNX's own checker on the file, then onnxruntime
# (CPU) on the images; prints the model's opset, IR version, inputs and outputs as JSON.
#   onnxruntime_oracle.py MODEL.onnx IMAGES.npy FEATURES_OUT.npy [IMAGES2.npy FEATURES2_OUT.npy ...]
import json, sys
import numpy as np, onnx, onnxruntime as ort

model_path, pairs = sys.argv[1], sys.argv[2:]
onnx.checker.check_model(model_path, full_check=True)
model = onnx.load(model_path)
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
for images_path, out_path in zip(pairs[0::2], pairs[1::2]):
    (features,) = session.run(["features"], {"images": np.load(images_path)})
    np.save(out_path, features.astype(np.float32))

def dims(value):
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

print(json.dumps({
    "opset": max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
    "ir_version": model.ir_version,
    "inputs": {i.name: dims(i) for i in model.graph.input},
    "outputs": {o.name: dims(o) for o in model.graph.output},
    "initializers": len(model.graph.initializer),
    "ops": sorted({n.op_type for n in model.graph.node}),
}))
