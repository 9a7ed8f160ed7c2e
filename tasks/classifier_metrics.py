"""Precision, recall, F1 and average precision of a binary classifier's scores (training reports and benchmarks)."""

from __future__ import annotations


def binary_metrics(y_true: list[bool], scores: list[float], threshold: float,
                   neg_weight: float = 1.0) -> dict[str, float]:
    """Precision, recall, F1 at ``threshold`` and average precision (PR-AUC).

    ``neg_weight`` counts each negative as that many rows in precision (``pos/neg`` gives the metrics of a
    population where both classes are equally frequent).
    """
    tp = sum(1 for y, s in zip(y_true, scores, strict=True) if y and s >= threshold)
    fp = neg_weight * sum(1 for y, s in zip(y_true, scores, strict=True) if not y and s >= threshold)
    pos = sum(y_true)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / pos if pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flagged = sum(1 for s in scores if s >= threshold)
    return {"precision": precision, "recall": recall, "f1": f1, "pr_auc": average_precision(y_true, scores),
            "threshold": threshold, "n": len(y_true), "positives": pos,
            "flagged_negatives": (flagged - tp) / (len(y_true) - pos) if len(y_true) > pos else 0.0}


def average_precision(y_true: list[bool], scores: list[float]) -> float:
    """Average precision (area under the precision-recall curve, step-wise, ties grouped) like sklearn's."""
    pos = sum(y_true)
    if not pos:
        return 0.0
    pairs = sorted(zip(scores, y_true, strict=True), key=lambda p: -p[0])
    ap = tp = seen = 0.0
    i = 0
    while i < len(pairs):
        j, hits = i, 0
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            hits += pairs[j][1]
            j += 1
        seen += j - i
        tp += hits
        ap += (hits / pos) * (tp / seen)
        i = j
    return ap
