# Oracles for the evaluation protocols on saved features: weighted kNN recomputed with NumPy
# (cosine similarity, the k nearest, votes exp(s/T)), and scikit-learn's LogisticRegression
# (lbfgs, multinomial) for the linear probe and the transfer protocol.
#   protocols_oracle.py DIR L2 KS TS     (DIR holds train_x.npy train_y.npy test_x.npy test_y.npy)
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

d, l2 = sys.argv[1], float(sys.argv[2])
ks = [int(k) for k in sys.argv[3].split(",")]
ts = [float(t) for t in sys.argv[4].split(",")]
xtr, ytr = np.load(d + "/train_x.npy").astype(np.float64), np.load(d + "/train_y.npy")
xte, yte = np.load(d + "/test_x.npy").astype(np.float64), np.load(d + "/test_y.npy")
classes = int(ytr.max()) + 1

unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
sim = unit(xte) @ unit(xtr).T
order = np.argsort(-sim, axis=1, kind="stable")
knn = []
for k in ks:
    idx = order[:, :k]
    s = np.take_along_axis(sim, idx, 1)
    for t in ts:
        votes = np.zeros((len(xte), classes))
        np.add.at(votes, (np.arange(len(xte))[:, None].repeat(k, 1), ytr[idx]), np.exp(s / t))
        ranked = np.argsort(-votes, axis=1, kind="stable")[:, :5]
        voted = np.take_along_axis(votes, ranked, 1) > 0  # a class without votes is no prediction
        knn.append({"k": k, "temperature": t, "top1": float((ranked[:, 0] == yte).mean()),
                    "top5": float(((ranked == yte[:, None]) & voted).any(1).mean())})

# The transfer protocol's objective, mean CE + l2/2 ||W||^2, is sklearn's with C = 1 / (N l2).
transfer = LogisticRegression(C=1.0 / (len(xtr) * l2), max_iter=5000, tol=1e-5).fit(xtr, ytr)
# The linear probe: standardised features, the regularisation chosen on a tenth of the training set.
scaler = StandardScaler().fit(xtr)
fit_x, held_x, fit_y, held_y = train_test_split(scaler.transform(xtr), ytr, test_size=0.1, random_state=0)
best_c = max([1e-3, 1e-2, 1e-1], key=lambda c: LogisticRegression(C=c, max_iter=2000).fit(fit_x, fit_y).score(held_x, held_y))
probe = LogisticRegression(C=best_c, max_iter=2000).fit(scaler.transform(xtr), ytr)
print(json.dumps({"knn": knn, "transfer": float(transfer.score(xte, yte)),
                  "probe": float(probe.score(scaler.transform(xte), yte)), "probe_c": best_c}))
