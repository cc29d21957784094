"""Computes scikit-learn's values for the cases written by sklearn.spec.ts.

Usage: /usr/bin/python3 sklearn-oracle.py cases.json out.json
Each case: {"kind": "binary"|"multiclass"|"regression", "y_true", "y_pred",
"score"?, "proba"?, "proba_labels"?, "pos_label"?}. Metrics scikit-learn
refuses become null; NaN becomes null too (JSON has no NaN).
"""
import json
import math
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")


def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return clean(v.tolist())
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def safe(f):
    try:
        return f()
    except ValueError:
        return None


def classification(c):
    yt = np.array(c["y_true"])
    yp = np.array(c["y_pred"])
    out = {
        "accuracy": M.accuracy_score(yt, yp),
        "balanced_accuracy": M.balanced_accuracy_score(yt, yp),
        "mcc": M.matthews_corrcoef(yt, yp),
        "cohen_kappa": M.cohen_kappa_score(yt, yp),
        "confusion_matrix": M.confusion_matrix(yt, yp),
        "labels": np.unique(np.concatenate([yt, yp])),
    }
    for avg in ("micro", "macro", "weighted"):
        p, r, f, _ = M.precision_recall_fscore_support(yt, yp, average=avg)
        out[f"precision_{avg}"], out[f"recall_{avg}"], out[f"f1_{avg}"] = p, r, f
    out["f2_macro"] = M.fbeta_score(yt, yp, beta=2, average="macro")
    p, r, f, s = M.precision_recall_fscore_support(yt, yp, average=None)
    out["per_class"] = {"precision": p, "recall": r, "f1": f, "support": s}
    if c["seed"] % 4 == 0:
        for norm in ("true", "pred", "all"):
            out[f"confusion_{norm}"] = M.confusion_matrix(yt, yp, normalize=norm)
    if c["kind"] == "binary":
        pos = c["pos_label"]
        p, r, f, _ = M.precision_recall_fscore_support(yt, yp, pos_label=pos, average="binary")
        out["precision"], out["recall"], out["f1"] = p, r, f
        if "score" in c:
            score = np.array(c["score"], dtype=np.float64)
            labels = sorted(set(c["y_true"]) | set(c["y_pred"]))
            greater = pos == labels[-1]
            out["roc_auc"] = safe(lambda: M.roc_auc_score(yt == pos, score))
            out["average_precision"] = M.average_precision_score(yt, score, pos_label=pos)
            p_greater = score if greater else 1 - score
            out["log_loss"] = safe(lambda: M.log_loss(yt, p_greater, labels=labels if len(labels) == 2 else None))
            out["brier"] = M.brier_score_loss(yt, score, pos_label=pos)
            fpr, tpr, th = M.roc_curve(yt, score, pos_label=pos)
            out["roc_curve"] = {"fpr": fpr, "tpr": tpr, "thresholds": th}
            pr, rc, th = M.precision_recall_curve(yt, score, pos_label=pos)
            out["precision_recall_curve"] = {"precision": pr, "recall": rc, "thresholds": th}
    elif "proba" in c:
        proba = np.array(c["proba"], dtype=np.float64)
        labels = c["proba_labels"]
        out["log_loss"] = safe(lambda: M.log_loss(yt, proba, labels=labels))
        for mc in ("ovr", "ovo"):
            for avg in ("macro", "weighted"):
                out[f"roc_auc_{mc}_{avg}"] = safe(
                    lambda: M.roc_auc_score(yt, proba, multi_class=mc, average=avg, labels=labels)
                )
    return out


def regression(c):
    yt = np.array(c["y_true"], dtype=np.float64)
    yp = np.array(c["y_pred"], dtype=np.float64)
    return {
        "mae": M.mean_absolute_error(yt, yp),
        "mse": M.mean_squared_error(yt, yp),
        "rmse": M.mean_squared_error(yt, yp, squared=False),
        "r2": M.r2_score(yt, yp),
        "mape": M.mean_absolute_percentage_error(yt, yp),
    }


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [clean(regression(c) if c["kind"] == "regression" else classification(c)) for c in cases]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


main()
