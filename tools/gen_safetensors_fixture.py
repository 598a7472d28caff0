"""Writes the safetensors fixtures that test/safetensors.test.ts loads, from PyTorch tensors.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_safetensors_fixture.py

test/fixtures/torch-model.safetensors: a small state dict with PyTorch's names (an MLP under
`layers.`, plus float64, int32, bool, zero-dim, empty and non-ASCII-named tensors) and metadata,
in the dtypes chainrule holds, so chainrule must write the very same bytes for it.
test/fixtures/torch-model.json: its expected values, and the MLP's forward pass on a fixed input.
test/fixtures/torch-widen.safetensors/.json: the storage dtypes, which load as their own dtype (I64 such as BatchNorm's
num_batches_tracked, U8, I8, I16, F16, BF16) and the values they must load as.

The `safetensors` Python package is not packaged for Debian, so the files are written by
tools/safetensors_struct.py, which follows the reference writer's layout byte for byte; where the
package is installed, this script also checks that safetensors.torch.save produces the same bytes.
"""

import json
import os

import torch
import torch.nn as nn

from safetensors_struct import encode_values, serialize

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
DTYPE_NAME = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32", torch.bool: "bool"}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    def forward(self, x):
        return self.layers(x)


def expected(tensors, loads_as):
    return {
        name: {"dtype": loads_as(t), "shape": list(t.shape), "data": encode_values(t)}
        for name, t in sorted(tensors.items())
    }


def write(stem, tensors, metadata, extra):
    blob = serialize(tensors, metadata)
    try:
        import safetensors.torch  # not in Debian; checked when present

        assert safetensors.torch.save(tensors, metadata) == blob, "safetensors.torch.save wrote different bytes"
        print("checked against safetensors.torch.save: identical bytes")
    except ImportError:
        pass
    with open(os.path.join(FIXTURES, stem + ".safetensors"), "wb") as f:
        f.write(blob)
    with open(os.path.join(FIXTURES, stem + ".json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": metadata, **extra}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote test/fixtures/{stem}.safetensors ({len(blob)} bytes) and {stem}.json")


def main():
    torch.manual_seed(0)
    net = Net()
    x = torch.randn(5, 3)
    with torch.no_grad():
        y = net(x)
    model = dict(net.state_dict())
    model.update({
        "stats.mean": torch.randn(2, 2, dtype=torch.float64),
        "stats.scale": torch.tensor(0.125, dtype=torch.float64),
        "vocab.ids": torch.tensor([3, -1, 0, 2147483647, -2147483648], dtype=torch.int32),
        "mask": torch.tensor([[True, False, True], [False, False, True]]),
        "empty": torch.zeros(0, 3),
        "unicode.ñ☃": torch.tensor([1.5, -0.0]),
    })
    metadata = {"format": "pt", "producer": "tools/gen_safetensors_fixture.py", "note": "ünïcode ✓"}
    write("torch-model", model, metadata, {
        "tensors": expected(model, lambda t: DTYPE_NAME[t.dtype]),
        "mlp": {"input": encode_values(x), "inputShape": list(x.shape), "output": encode_values(y), "outputShape": list(y.shape)},
    })

    widen = {
        "bn.num_batches_tracked": torch.tensor(7, dtype=torch.int64),
        "ids64": torch.tensor([-2147483648, -1, 0, 5, 2147483647], dtype=torch.int64),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "i8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        "i16": torch.tensor([[-32768, 0], [1, 32767]], dtype=torch.int16),
        "half": torch.tensor([0.0, -0.0, 1 / 3, 65504.0, 2.0**-24, 2.0**-14, float("inf"), float("-inf"), float("nan")], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e30, 2.0**-130], dtype=torch.bfloat16),
    }
    write("torch-widen", widen, None, {
        "tensors": expected(widen, lambda t: str(t.dtype).replace("torch.", "")),
    })


if __name__ == "__main__":
    main()
