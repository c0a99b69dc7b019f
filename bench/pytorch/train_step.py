"""PyTorch's time for vecrnn's "train" workload, to compare side by side with `vecrnn bench --workload train`.

One training step: forward over B sequences of T steps (nn.RNN, tanh), a linear head at every step (identity
output), MSE, backward, and an SGD update, on one thread; the same sizes and the same measuring as vecrnn's
TrainBench (1 s warm-up, then the median of ROUNDS rounds of 1 s). Debian's python3-torch (1.13) links the
system BLAS, which is OpenBLAS: run with OPENBLAS_CORETYPE=SkylakeX so that it uses its AVX-512 kernels.
Usage: python3 train_step.py [B T n d k] [ROUNDS]
"""
import statistics
import sys
import time

import torch

args = [int(a) for a in sys.argv[1:]]
B, T, n, d, k = args[:5] if len(args) >= 5 else (64, 50, 128, 256, 16)
rounds = args[5] if len(args) >= 6 else 7
torch.set_num_threads(1)
torch.manual_seed(42)
rnn = torch.nn.RNN(n, d, nonlinearity="tanh")
head = torch.nn.Linear(d, k)
opt = torch.optim.SGD(list(rnn.parameters()) + list(head.parameters()), lr=1e-4)
x = torch.randn(T, B, n)
y = torch.randn(T, B, k)
h0 = torch.zeros(1, B, d)


def step():
    opt.zero_grad(set_to_none=True)
    hs, _ = rnn(x, h0)
    loss = torch.nn.functional.mse_loss(head(hs), y, reduction="sum") / B
    loss.backward()
    opt.step()
    return loss.item()


end = time.perf_counter() + 1.0
while time.perf_counter() < end:
    step()
rates = []
for _ in range(rounds):
    start = time.perf_counter()
    steps = 0
    while True:
        step()
        steps += 1
        now = time.perf_counter()
        if now - start >= 1.0:
            break
    rates.append(steps / (now - start))
print(f"pytorch {torch.__version__} train workload B={B} T={T} n={n} d={d} k={k}: "
      f"{statistics.median(rates):.1f} steps/s (median of {rounds} rounds, 1 thread)")
