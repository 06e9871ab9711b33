"""Typical wrong answers for every question of every exercise, with a piece of the hint each must get.

``WRONG[exercise][question]`` is a list of ``(answer cell code, hint fragment)``: variant 0 is graded in
the ``wrong`` notebook, variant 1 (where there is one) in ``wrong2``."""

WRONG = {
    "01_tensor_basics": {
        "q1": [("t = torch.full((2, 3), 7)", "makes integers"),
               ("t = torch.full((3, 2), 7.0)", "should have shape (2, 3)")],
        "q2": [("col = M[1]", "second row"), ("col = M[:, 2]", "indexing starts at 0")],
        "q3": [("broadcast_shape = (4, 3)", "rows come from A"), ("broadcast_shape = (3, 1)", "that is A's shape")],
        "q4": [("row_means = M.mean(dim=1)", "check reshape/unsqueeze/keepdim"),
               ("row_means = M.mean(dim=0)", "column means")],
        "q5": [("a_after = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]", "shares its memory")],
        "q6": [("Wx = W * v", "element by element")],
    },
    "02_gradients": {
        "q1": [("grad_by_hand = 56", "f(4), the value"), ("grad_by_hand = 20", "not right yet")],
        "q2": [("x = torch.tensor(4.0, requires_grad=True)\ny = 3 * x**2 + 2 * x\ny.backward(retain_graph=True)\n"
                "y.backward()\ngrad_autograd = x.grad", "twice the expected value"),
               ("x = torch.tensor(4.0)\ny = 3 * x**2 + 2 * x\ngrad_autograd = x.grad", "requires_grad=True")],
        "q3": [("predicted = 6.0", "one backward call"), ("predicted = 13.0", "not right yet")],
        "q4": [("def h(x):\n    return (x**2).sum()", "gradient of x²"),
               ("def h(x):\n    return x**2 + x", "should have shape ()")],
        "q5": [("vjp = [2.0, 4.0, 6.0]", "gradient of y.sum()")],
        "q6": [("detached_grad = 6.0", "constant for autograd"), ("detached_grad = -3.0", "wrong sign")],
    },
    "03_linear_regression": {
        "q1": [("def predict(a, b, X):\n    return b * X + a", "swapped")],
        "q2": [("def mse(pred, target):\n    return ((pred - target) ** 2).sum()", "sum of squared errors")],
        "q3": [("def grad_a(a, b, X, Y):\n    return (2 * (Y - (a * X + b)) * X).mean()", "wrong sign"),
               ("def grad_a(a, b, X, Y):\n    return ((a * X + b - Y) * X).mean()", "factor 2")],
        "q4": [("a = torch.tensor(0.0, requires_grad=True)\nb = torch.tensor(0.0, requires_grad=True)\n"
                "optimizer = optim.SGD([a, b], lr=0.1)\nfor epoch in range(100):\n"
                "    loss = ((a * X + b - Y) ** 2).mean()\n    loss.backward()\n    optimizer.step()\n"
                "a_fit, b_fit = a.item(), b.item()", "still adds up the gradients")],
        "q5": [("w = torch.tensor(0.0, requires_grad=True)\nfor step in range(50):\n    loss = ((w * X - Y) ** 2).mean()\n"
                "    loss.backward()\n    with torch.no_grad():\n        w -= 0.1 * w.grad\nw_fit = w.item()", "keeps growing"),
               ("w = torch.tensor(0.0, requires_grad=True)\nfor step in range(50):\n    loss = ((w * X - Y) ** 2).mean()\n"
                "    loss.backward()\n    w = w - 0.1 * w.grad\n    w.retain_grad()\nw_fit = w.item()", "no longer a leaf")],
        "q6": [("m = torch.tensor(0.0, requires_grad=True)\nlosses = []\nfor step in range(30):\n"
                "    loss = ((m * X - Y) ** 2).mean()\n    losses.append(loss.item())\n    loss.backward()\n"
                "    with torch.no_grad():\n        m += 0.05 * m.grad\n    m.grad.zero_()", "still grows")],
    },
    "04_neural_networks": {
        "q1": [("model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))\n"
                "param_shapes = [(2, 8), (8,), (8, 1), (1,)]", "(out, in)")],
        "q2": [("n_params = len(list(model.parameters()))", "counts the parameter tensors")],
        "q3": [("outs = [1.5, -2.5]", "ReLU turns negative")],
        "q4": [("class TwoLayer(nn.Module):\n    def __init__(self, hidden):\n        super().__init__()\n"
                "        self.fc1 = nn.Linear(2, hidden)\n        self.fc2 = nn.Linear(hidden, 1)\n\n"
                "    def forward(self, x):\n        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x))))\n\n\n"
                "torch.manual_seed(1)\nxor_model = TwoLayer(8)\nopt = optim.Adam(xor_model.parameters(), lr=0.05)\n"
                "for step in range(3):\n    opt.zero_grad()\n    loss = nn.functional.mse_loss(xor_model(X), Y)\n"
                "    loss.backward()\n    opt.step()\nfinal_loss = loss.item()", "should be below 0.05")],
        "q5": [("torch.manual_seed(0)\nnet = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))\n"
                "opt = optim.SGD(net.parameters(), lr=0.5)\nnet_losses = []\nfor step in range(100):\n"
                "    loss = nn.functional.mse_loss(net(X), Y)\n    loss.backward()\n    opt.zero_grad()\n    opt.step()\n"
                "    net_losses.append(loss.item())", "never changes")],
        "q6": [("def accuracy(logits, targets):\n    return (logits.argmax(dim=1) == targets).sum()", "number of right rows"),
               ("def accuracy(logits, targets):\n    return (logits.argmax(dim=0) == targets).float().mean()", "argmax(dim=0)")],
    },
    "05_inside_backward": {
        "q1": [("dy_da = 3.0", "is b, not a")],
        "q2": [("dz_dx = 6", "outer derivative")],
        "q3": [("path = ['MulBackward0', 'AddBackward0', 'ExpBackward0']", "wrong order"),
               ("path = ['Exp', 'Add', 'Mul']", "as grad_fn.name() prints them")],
        "q4": [("grad_twice = 4", "both terms")],
        "q5": [("sender = 'PowBackward0'\nsent = 18.0", "sends its gradient to MulBackward0"),
               ("sender = 'MulBackward0'\nsent = 6.0", "what PowBackward0 sends")],
        "q6": [("def numeric_grad(f, w, eps=1e-6):\n    grad = torch.zeros_like(w)\n    for i in range(w.numel()):\n"
                "        step = torch.zeros_like(w)\n        step[i] = eps\n        grad[i] = (f(w + step) - f(w - step)) / eps\n"
                "    return grad\n\n\ndef loss_fn(w):\n    return (w ** 3).sum() + w[0] * w[1]\n\n\n"
                "w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\nwith torch.no_grad():\n"
                "    numeric = numeric_grad(loss_fn, w)\nloss_fn(w).backward()\nanalytic = w.grad",
                "instead of 2·eps")],
    },
    "06_convolutional_networks": {
        "q1": [("stack_shape = (4, 16, 12, 12)", "padding=1 adds"), ("stack_shape = (4, 16, 28, 28)", "halves the height")],
        "q2": [("n_conv_params = 8 * 5 * 5 * 3", "also has a bias"), ("n_conv_params = 8 * 5 * 5 + 8", "per input channel")],
        "q3": [("conv_at_0_1 = 5", "does not flip"), ("conv_at_0_1 = 10", "row 1, column 0")],
        "q4": [("dw_0_1 = 2\nconv_w_grad = torch.tensor([[4., 5.], [3., 1.]])", "the kernel slides"),
               ("dw_0_1 = 5\nw = torch.tensor([[0.5, -1.], [2., 1.]], requires_grad=True)\nconv_w_grad = w.detach()",
                "that is w itself")],
        "q5": [("class DigitCNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                "        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)\n        self.pool = nn.MaxPool2d(2)\n"
                "        self.fc = nn.Linear(8 * 4 * 4, 10)\n\n    def forward(self, x):\n"
                "        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))\n\n\n"
                "torch.manual_seed(0)\ncnn = DigitCNN()\nopt = optim.Adam(cnn.parameters(), lr=0.01)\ncnn_losses = []\n"
                "for step in range(30):\n    loss = F.cross_entropy(cnn(X_digits), Y_digits)\n    loss.backward()\n"
                "    opt.zero_grad()\n    opt.step()\n    cnn_losses.append(loss.item())", "did not go down"),
               ("cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))\n"
                "opt = optim.Adam(cnn.parameters(), lr=0.01)\ncnn_losses = []\nfor step in range(30):\n"
                "    opt.zero_grad()\n    loss = F.cross_entropy(cnn(X_digits), Y_digits)\n    loss.backward()\n"
                "    opt.step()\n    cnn_losses.append(loss.item())", "nn.MaxPool2d")],
        "q6": [("pool_grad = [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1]]", "gradient of its output"),
               ("pool_grad = [[.25, .25, .5, .5], [.25, .25, .5, .5], [.75, .75, 1., 1.], [.75, .75, 1., 1.]]",
                "average pooling")],
    },
}

# Right answers in other legitimate forms (graded in the ``right2`` notebook: every one must pass).
RIGHT2 = {
    "01_tensor_basics": {
        "q1": "t = torch.ones(2, 3) * 7", "q2": "col = M.t()[1]",
        "q3": "A = torch.ones(3, 1)\nB = torch.arange(4.)\nbroadcast_shape = (A + B).shape",
        "q4": "row_means = M.sum(1, keepdim=True) / 4", "q5": "a_after = torch.tensor([[0., 0., 0.], [0., 5., 0.]])",
        "q6": "Wx = torch.matmul(W, v)",
    },
    "02_gradients": {
        "q1": "grad_by_hand = np.float64(26)",
        "q2": "x = torch.tensor(4.0, requires_grad=True)\n(3 * x * x + 2 * x).backward()\ngrad_autograd = x.grad.item()",
        "q3": "predicted = 12", "q4": "def h(x):\n    return (x * x).sum() + x.sum() + 5",
        "q5": "vjp = torch.tensor([2., 0., 60.])", "q6": "detached_grad = 3",
    },
    "03_linear_regression": {
        "q1": "predict = lambda a, b, X: X * a + b",
        "q2": "def mse(pred, target):\n    return nn.functional.mse_loss(pred, target)",
        "q3": "def grad_a(a, b, X, Y):\n    n = X.shape[0]\n    return 2 / n * ((a * X + b - Y) * X).sum()",
        "q4": "a = torch.tensor(0.0, requires_grad=True)\nb = torch.tensor(0.0, requires_grad=True)\n"
              "optimizer = optim.SGD([a, b], lr=0.1)\nfor epoch in range(100):\n    loss = ((a * X + b - Y) ** 2).mean()\n"
              "    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\na_fit, b_fit = a, b",
        "q5": "w = torch.tensor(0.0, requires_grad=True)\nfor step in range(50):\n    loss = ((w * X - Y) ** 2).mean()\n"
              "    loss.backward()\n    with torch.no_grad():\n        w.sub_(0.1 * w.grad)\n    w.grad = None\nw_fit = w.item()",
        "q6": "m = torch.tensor(0.0, requires_grad=True)\nopt = optim.SGD([m], lr=0.05)\nlosses = []\nfor step in range(30):\n"
              "    opt.zero_grad()\n    loss = ((m * X - Y) ** 2).mean()\n    losses.append(loss)\n    loss.backward()\n    opt.step()",
    },
    "04_neural_networks": {
        "q1": "model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))\n"
              "param_shapes = [list(p.shape) for p in model.parameters()]",
        "q2": "n_params = sum(np.prod(p.shape) for p in model.parameters())",
        "q3": "outs = torch.relu(torch.tensor([[3., 1.], [1., 2.]]) @ torch.tensor([1., -2.]) + 0.5).tolist()",
        "q5": "torch.manual_seed(0)\nnet = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))\n"
              "opt = optim.SGD(net.parameters(), lr=0.5)\nnet_losses = []\nfor step in range(100):\n"
              "    loss = nn.functional.mse_loss(net(X), Y)\n    loss.backward()\n    opt.step()\n    opt.zero_grad()\n"
              "    net_losses.append(loss.item())",
        "q6": "def accuracy(logits, targets):\n    return (logits.argmax(1) == targets).float().mean()",
    },
    "05_inside_backward": {
        "q1": "dy_da = 4", "q2": "dz_dx = 12.0", "q3": "path = ('ExpBackward0', 'AddBackward0', 'MulBackward0')",
        "q4": "grad_twice = torch.tensor(7.0)", "q5": "sender = 'MulBackward0 '\nsent = torch.tensor(18.)",
        "q6": "def numeric_grad(f, w, eps=1e-6):\n    base = f(w)\n    out = []\n    for i in range(len(w)):\n"
              "        step = torch.zeros_like(w)\n        step[i] = eps\n        out.append(((f(w + step) - base) / eps).item())\n"
              "    return torch.tensor(out, dtype=torch.float64)\n\n\ndef loss_fn(w):\n    return (w ** 3).sum() + w[0] * w[1]\n\n\n"
              "w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\nwith torch.no_grad():\n"
              "    numeric = numeric_grad(loss_fn, w)\nloss_fn(w).backward()\nanalytic = w.grad",
    },
    "06_convolutional_networks": {
        "q1": "stack_shape = nn.Sequential(nn.Conv2d(3, 8, kernel_size=5), nn.MaxPool2d(2),\n"
              "                            nn.Conv2d(8, 16, kernel_size=3, padding=1))(torch.zeros(4, 3, 32, 32)).shape",
        "q2": "n_conv_params = sum(p.numel() for p in nn.Conv2d(3, 8, kernel_size=5).parameters())",
        "q3": "conv_at_0_1 = (image[0:2, 1:3] * kernel).sum()",
        "q4": "x = torch.tensor([[1., 2., 3.], [0., 1., -1.], [2., 0., 1.]])\n"
              "dw_0_1 = np.float32(x[0:2, 1:3].sum().item())\n"
              "conv_w_grad = F.unfold(x[None, None], 2).sum(-1).reshape(2, 2)",
        "q5": "class DigitCNN(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)\n        self.pool = nn.MaxPool2d(2)\n"
              "        self.fc = nn.Linear(8 * 4 * 4, 10)\n\n    def forward(self, x):\n"
              "        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))\n\n\n"
              "torch.manual_seed(0)\ncnn = DigitCNN()\nopt = optim.Adam(cnn.parameters(), lr=0.01)\ncnn_losses = []\n"
              "for step in range(30):\n    loss = F.cross_entropy(cnn(X_digits), Y_digits)\n    opt.zero_grad()\n"
              "    loss.backward()\n    opt.step()\n    cnn_losses.append(float(loss))",
        "q6": "a = torch.tensor([[1., 5., 2., 0.], [3., 2., 7., 1.], [0., 4., 1., 1.], [6., 2., 3., 8.]], requires_grad=True)\n"
              "y = F.max_pool2d(a[None, None], 2)[0, 0]\n(y * torch.tensor([[1., 2.], [3., 4.]])).sum().backward()\n"
              "pool_grad = a.grad",
    },
}
