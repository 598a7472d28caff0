# PyTorch (one thread) on the matmul shapes of W7's GPT step, GFLOP/s: the counterpart of tools/gpt-matmul.mjs.
#   /usr/bin/python3 tools/gpt_matmul_torch.py
import torch, time
torch.set_num_threads(1)
for m,k,n in [(768,128,384),(768,128,512),(768,512,128),(768,128,128),(128,768,384),(768,384,128),(768,128,83)]:
    a=torch.randn(m,k); b=torch.randn(k,n)
    for _ in range(5): a@b
    ts=[]
    for r in range(15):
        t=time.perf_counter()
        for _ in range(10): a@b
        ts.append((time.perf_counter()-t)/10)
    ts.sort()
    print(f"{m}x{k}x{n} torch1T {2*m*k*n/ts[7]/1e9:.1f} GFLOP/s (best {2*m*k*n/ts[0]/1e9:.1f})")
