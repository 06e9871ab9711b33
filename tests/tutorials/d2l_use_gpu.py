# d2l.ai 5.6 (2nd ed.) GPUs (PyTorch version), on a machine without one: everything falls back to the CPU.
import torch
from torch import nn

torch.manual_seed(0)
print(torch.device('cpu'), torch.device('cuda'), torch.device('cuda:1'))
print(torch.cuda.device_count())


def try_gpu(i=0):  #@save
    """如果存在，则返回gpu(i)，否则返回cpu()"""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def try_all_gpus():  #@save
    """返回所有可用的GPU，如果没有GPU，则返回[cpu(),]"""
    devices = [torch.device(f'cuda:{i}')
               for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device('cpu')]


print(try_gpu(), try_gpu(10), try_all_gpus())
x = torch.tensor([1, 2, 3])
print(x.device)
X = torch.ones(2, 3, device=try_gpu())
print(X)
Y = torch.rand(2, 3, device=try_gpu(1))
print(Y.shape, Y.device)
Z = X.cpu()
print(Z is X, X.to(try_gpu()) is X)
net = nn.Sequential(nn.Linear(3, 1))
net = net.to(device=try_gpu())
print(net(X).shape)
print(net[0].weight.data.device)
try:
    X.cuda(0)
except RuntimeError as e:
    print("no GPU:", str(e).split("\n")[0])
try:
    X.cuda()
except AssertionError as e:
    print("no GPU:", str(e).split("\n")[0])
