TITLE = "06_convolutional_networks"
CELLS = [
    ("md", """# 6. Convolutional networks

A **convolution** slides a small grid of weights (a *kernel*) over an image and, at every position,
multiplies the pixels under it by the weights and adds them up. The same few weights are used everywhere,
so a convolution finds the same pattern (an edge, a corner, a stroke) wherever it is in the image.

In this notebook you build a small convolutional network, train it on real handwritten digits, and look
at what the gradient of a convolution is — it turns out to be a convolution too."""),
    ("code", """import numpy as np
import matplotlib.pyplot as plt

import autograd_kit as torch
from autograd_kit import nn, optim
F = nn.functional            # what `import torch.nn.functional as F` gives in PyTorch"""),
    ("md", """## One convolution, by hand and with `F.conv2d`

Images are stored as `(batch, channels, height, width)`. Here: one image with one channel, 5×5 pixels,
and a 3×3 kernel that responds to a vertical edge (bright on the left, dark on the right)."""),
    ("code", """image = torch.tensor([[0., 0., 9., 9., 9.],
                      [0., 0., 9., 9., 9.],
                      [0., 0., 9., 9., 9.],
                      [0., 0., 9., 9., 9.],
                      [0., 0., 9., 9., 9.]]).reshape(1, 1, 5, 5)
kernel = torch.tensor([[1., 0., -1.],
                       [1., 0., -1.],
                       [1., 0., -1.]]).reshape(1, 1, 3, 3)
out = F.conv2d(image, kernel)
print(out.shape)
print(out)
# the top-left output is the sum of the top-left 3x3 patch times the kernel:
print((image[0, 0, 0:3, 0:3] * kernel[0, 0]).sum())"""),
    ("md", """The output is 3×3: a 3×3 kernel fits in 3 positions across 5 pixels. The big (negative) numbers are where
the window covers the edge. `padding=1` adds a border of zeros so the output keeps the input's size, and
`stride=2` jumps two pixels at a time:"""),
    ("code", """print(F.conv2d(image, kernel, padding=1).shape)
print(F.conv2d(image, kernel, padding=1, stride=2).shape)"""),
    ("md", """## The layers: `nn.Conv2d` and `nn.MaxPool2d`

`nn.Conv2d(in_channels, out_channels, kernel_size)` holds one kernel per (output, input) channel pair, plus
one bias per output channel. `nn.MaxPool2d(2)` keeps the largest value of every 2×2 block: the image gets
half as wide and half as high."""),
    ("code", """conv = nn.Conv2d(1, 8, 3, padding=1)
pool = nn.MaxPool2d(2)
print(conv)
print(pool)
print("weight", tuple(conv.weight.shape), " bias", tuple(conv.bias.shape))
x = torch.zeros(4, 1, 8, 8)            # a batch of 4 images, 8x8
print("conv:", tuple(conv(x).shape), " then pool:", tuple(pool(conv(x)).shape))"""),
    ("md", """## A real dataset: 1,797 handwritten digits

`data/digits_8x8.npz` holds the *Optical Recognition of Handwritten Digits* test set (E. Alpaydin and
C. Kaynak, UCI Machine Learning Repository, CC BY 4.0) — the same images scikit-learn's `load_digits()`
gives. Each digit is 8×8 pixels with values 0 to 16, so it ships with the course (45 kB) and needs no
download."""),
    ("code", """data = np.load("data/digits_8x8.npz")
images = data["images"].astype(np.float32) / 16.0     # scale the pixels to 0..1
labels = data["labels"].astype(np.int64)
print(images.shape, labels.shape, "classes:", np.bincount(labels))

fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, img, lab in zip(axes, images, labels):
    ax.imshow(img, cmap="gray_r")
    ax.set_title(int(lab))
    ax.axis("off")
plt.show()"""),
    ("code", """X = torch.tensor(images).unsqueeze(1)     # (1797, 1, 8, 8): one channel
Y = torch.tensor(labels)
X_train, Y_train = X[:1500], Y[:1500]      # train on the first 1500,
X_test, Y_test = X[1500:], Y[1500:]        # test on the 297 the network never sees
print(X_train.shape, X_test.shape)"""),
    ("md", """## A small convolutional network

Two rounds of *convolution → ReLU → max-pool* turn each 8×8 image into 16 channels of 2×2, then a linear
layer turns those 64 numbers into 10 scores, one per digit."""),
    ("code", """def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 8x8 -> 8 channels of 4x4
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # -> 16 channels of 2x2
        nn.Flatten(),                                                  # -> 64 numbers
        nn.Linear(16 * 2 * 2, 10),                                     # -> 10 scores
    )

model = make_model()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))"""),
    ("md", """Training is the loop from notebook 4: mini-batches of 100 images, cross-entropy, Adam."""),
    ("code", """torch.manual_seed(0)
model = make_model()
optimizer = optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
order = np.random.RandomState(0)

def accuracy(model, X, Y):
    with torch.no_grad():
        return (model(X).argmax(dim=1) == Y).float().mean().item()

for epoch in range(8):
    for idx in np.array_split(order.permutation(1500), 15):
        batch = torch.tensor(idx)
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[batch]), Y_train[batch])
        loss.backward()
        optimizer.step()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy {accuracy(model, X_test, Y_test):.1%}")""",
     ["no-compare"]),
    ("md", """Most of the 297 test digits, which the network has never seen, now come out right — after a few seconds
of training.

## The gradient of a convolution layer

After a backward pass, `model[0].weight.grad` has the weight's shape: 8 kernels of 3×3, one gradient
number per kernel weight. Each tells how the loss would change if that weight grew a little."""),
    ("code", """optimizer.zero_grad()
loss_fn(model(X_test), Y_test).backward()
grad = model[0].weight.grad
print(grad.shape)

fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
for k in range(8):
    axes[0, k].imshow(model[0].weight[k, 0].detach().numpy(), cmap="RdBu")
    axes[1, k].imshow(grad[k, 0].numpy(), cmap="RdBu")
    axes[0, k].axis("off"); axes[1, k].axis("off")
axes[0, 0].set_title("kernels", loc="left"); axes[1, 0].set_title("their gradients", loc="left")
plt.show()""", ["no-compare"]),
    ("md", """### In the graph

The whole backward graph of that loss: each `nn` layer is one node, named as in PyTorch —
`ConvolutionBackward0` for a convolution, `MaxPool2DWithIndicesBackward0` for a max-pool (it remembers
*which* pixel won each window: only that pixel gets gradient)."""),
    ("code", """from autograd_kit.viz import make_dot, step_backward
small = model(X_test[:2])
make_dot(loss_fn(small, Y_test[:2]), params=dict(model.named_parameters()))""", ["kit-only"]),
    ("md", """### Step by step, on a tiny example

One 3×3 image, one 2×2 kernel. Step through the backward pass and watch `ConvolutionBackward0` send
gradients to the image, the kernel and the bias."""),
    ("code", """x = torch.tensor([[[[1., 2., 0.],
                    [0., 1., 3.],
                    [2., 0., 1.]]]], requires_grad=True)
w = torch.tensor([[[[1., -1.],
                    [0., 2.]]]], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
print(F.conv2d(x, w, b))"""),
    ("code", """step_backward(F.conv2d(x, w, b).relu().sum())""", ["kit-only"]),
    ("md", """### The weight's gradient is a convolution too

Every output pixel is *kernel · patch + bias*, so the kernel's gradient is the sum, over all output
pixels, of *upstream gradient × the patch under the kernel there*: the input convolved with the upstream
gradient. `F.unfold` lists every patch as a column, which makes this one matrix product:"""),
    ("code", """y = F.conv2d(x, w, b)
y.sum().backward()                          # upstream gradient: 1 at every output pixel
patches = F.unfold(x, kernel_size=2)        # (1, 4 weights, 4 positions)
print(patches[0])
by_hand = (torch.ones(1, 4) @ patches[0].T).reshape(1, 1, 2, 2)
print("autograd:", w.grad.flatten().tolist())
print("by hand: ", by_hand.flatten().tolist())
print("bias grad:", b.grad.item(), "(one per output pixel)")"""),
    ("md", """## What to try

* Change the kernels to `5` with `padding=2`, or add a third channel count: does the accuracy move?
* Replace `nn.MaxPool2d(2)` by `nn.AvgPool2d(2)` and look at the graph: which node appears instead?
* The same layers are in PyTorch: `import torch` instead of `import autograd_kit as torch` runs this
  notebook unchanged."""),
]
