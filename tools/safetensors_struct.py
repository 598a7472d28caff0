"""The safetensors format in plain Python (struct + json), for machines without the `safetensors` package.

Used by tools/gen_safetensors_fixture.py and tools/check_safetensors_in_torch.py. The writer lays a
file out exactly as the reference implementation (huggingface/safetensors, Rust) does: tensors
sorted by dtype in descending order of its Dtype enum, then by name; the header is compact JSON with
"__metadata__" first (keys sorted here, as the reference uses an unordered map) and each entry as
dtype, shape, data_offsets; padded with spaces to a multiple of 8 bytes. So the same state dict
gives the same bytes as safetensors.torch.save_file.
"""

import json
import math
import struct

import torch

# The reference Dtype enum in declaration order (its derived Ord), used for the layout sort.
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
CODE = {
    torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
    torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32", torch.float64: "F64", torch.int64: "I64",
}
TORCH = {code: dt for dt, code in CODE.items()}
MAX_HEADER = 100_000_000


def _raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the same 2 bytes
        t = t.view(torch.int16)
    return t.numpy().tobytes()  # native order; every machine this runs on is little-endian


def serialize(tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-RANK.index(CODE[kv[1].dtype]), kv[0]))
    parts = []
    if metadata is not None:
        parts.append('"__metadata__":' + json.dumps(dict(sorted(metadata.items())), ensure_ascii=False, separators=(",", ":")))
    data = []
    offset = 0
    for name, t in items:
        raw = _raw_bytes(t)
        entry = {"dtype": CODE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        parts.append(json.dumps(name, ensure_ascii=False) + ":" + json.dumps(entry, separators=(",", ":")))
        data.append(raw)
        offset += len(raw)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(data)


def deserialize(buf):
    """Returns (tensors in file order, metadata or None), checking what the reference reader checks."""
    if len(buf) < 8:
        raise ValueError("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER or 8 + n > len(buf):
        raise ValueError(f"bad header length {n} for a {len(buf)}-byte file")
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    data = buf[8 + n :]
    tensors = {}
    covered = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        dt = TORCH[info["dtype"]]
        shape = info["shape"]
        if begin != covered or end > len(data):
            raise ValueError(f"tensor {name!r}: offsets {begin}..{end} do not follow {covered}")
        numel = 1
        for d in shape:
            numel *= d
        if numel * torch.tensor([], dtype=dt).element_size() != end - begin:
            raise ValueError(f"tensor {name!r}: {end - begin} bytes for shape {shape}")
        if numel == 0:
            t = torch.empty(shape, dtype=dt)
        elif dt == torch.bfloat16:
            t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.int16).view(torch.bfloat16).reshape(shape)
        else:
            t = torch.frombuffer(bytearray(data[begin:end]), dtype=dt).reshape(shape)
        tensors[name] = t
        covered = end
    if covered != len(data):
        raise ValueError(f"tensors cover {covered} of {len(data)} data bytes")
    return tensors, metadata


def encode_values(t):
    """A tensor's values for a JSON fixture: flat, floats exact (float32 widened to double), NaN/±Infinity/-0 as strings."""
    if t.dtype == torch.bool:
        return [bool(v) for v in t.flatten().tolist()]
    if t.is_floating_point():
        out = []
        for v in t.detach().double().flatten().tolist():
            if v != v:
                out.append("NaN")
            elif v == 0 and math.copysign(1, v) < 0:
                out.append("-0")  # JSON.stringify(-0) writes 0: keep the sign as a string
            elif v in (float("inf"), float("-inf")):
                out.append("Infinity" if v > 0 else "-Infinity")
            else:
                out.append(v)
        return out
    return [int(v) for v in t.flatten().tolist()]
