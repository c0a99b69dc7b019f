"""PyTorch 1.13 on vecrnn's digits task, to compare side by side with `vecrnn train --task digits`.

The same data (the bundled UCI digits: 8 steps of 8 pixels / 16, 1438 training and 359 test images), the same
model (Elman RNN, hidden 64, tanh, a linear head on the last step, softmax cross-entropy) and the same
settings (Adam, lr 0.003, batch 32, 30 epochs, one thread). Prints the test accuracy and the seconds of the
training loop alone, as vecrnn prints train_seconds. Usage: python3 digits.py [SEED]
"""
import csv
import pathlib
import sys
import time

import torch

DATA = pathlib.Path(__file__).resolve().parents[2] / "src/main/resources/org/vecrnn/data"


def load(name):
    with open(DATA / name) as f:
        rows = [[float(v) for v in r] for r in list(csv.reader(f))[1:] if r]
    t = torch.tensor(rows)
    return (t[:, 1:] / 16).reshape(-1, 8, 8).transpose(0, 1).contiguous(), t[:, 0].long()


seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(1)
torch.manual_seed(seed)
x_train, y_train = load("digits_train.csv")
x_test, y_test = load("digits_test.csv")
rnn = torch.nn.RNN(8, 64, nonlinearity="tanh")
head = torch.nn.Linear(64, 10)
params = list(rnn.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=0.003)
n = x_train.shape[1]
start = time.perf_counter()
for epoch in range(30):
    order = torch.randperm(n)
    for i in range(0, n, 32):
        idx = order[i:i + 32]
        opt.zero_grad(set_to_none=True)
        hs, _ = rnn(x_train[:, idx])
        loss = torch.nn.functional.cross_entropy(head(hs[-1]), y_train[idx])
        loss.backward()
        opt.step()
seconds = time.perf_counter() - start
with torch.no_grad():
    hs, _ = rnn(x_test)
    acc = (head(hs[-1]).argmax(1) == y_test).float().mean().item()
print(f"pytorch {torch.__version__} digits: test_accuracy={acc:.4f} train_seconds={seconds:.3f} epochs=30")
