"""spaCy's greedy NER decoding, vectorised over a batch with numpy: the same entities in a fraction of the time.

spaCy's ``EntityRecognizer`` spends about half of its time in the transition loop (``Parser._parseC``): for every
token of every document it asks each of the 74 moves of ``en_core_web_sm`` whether it is valid, one C call each.
Its neural parts are cheap matrix products done up front. This module keeps those parts (the model's own
``tok2vec``, ``precomputable_affine`` and output ``linear`` layers, run through thinc as spaCy runs them) and
replaces the loop with array operations over all documents of a batch at once, following
``spacy/pipeline/_parser_internals/ner.pyx`` (move validity), ``_state.pxd`` (``set_context_tokens`` with 3
features) and ``spacy/ml/parser_model.pyx`` (``predict_states``: summed precomputed features, maxout, output layer,
unseen classes at the batch minimum, first best valid move).

Scope: a greedy (``beam_width == 1``) BILUO recogniser on documents without preset entities (fresh from the
tokenizer); ``supports`` says whether a pipe qualifies, and the engine falls back to ``nlp.pipe`` otherwise. The
tests compare the entities with spaCy's own on the same documents.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_MOVES = {"B": 0, "I": 1, "L": 2, "U": 3, "O": 4}


def supports(ner: Any) -> bool:
    """True for a greedy, 3-feature BILUO recogniser with an output layer (``en_core_web_sm``'s NER)."""
    try:
        layers = ner.model.layers
        return (ner.cfg.get("beam_width", 1) == 1 and len(layers) == 3 and ner.model.attrs.get("has_upper")
                and layers[1].get_dim("nF") == 3 and layers[1].get_dim("nP") >= 1
                and all(ner.moves.get_class_name(i).split("-")[0] in _MOVES or ner.moves.get_class_name(i) == "O"
                        for i in range(ner.moves.n_moves)))
    except Exception:  # noqa: BLE001 - anything unexpected means: use spaCy's own loop
        return False


class FastNer:
    """Set ``doc.ents`` on a list of docs with the recogniser's own weights (see the module docstring)."""

    def __init__(self, ner: Any):
        self.ner = ner
        self.tok2vec, self.lower, self.upper = ner.model.layers
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        kinds, labels, self.label_names = [], [], [""]
        for name in names:
            kind, _, label = name.partition("-")
            kinds.append(_MOVES[kind] if kind in _MOVES else -1)
            if label and label not in self.label_names:
                self.label_names.append(label)
            labels.append(self.label_names.index(label) if label else 0)
        self.kind, self.label = np.array(kinds), np.array(labels)
        self.is_b, self.is_i, self.is_l, self.is_u, self.is_o = (self.kind == k for k in range(5))
        self.labelled = self.label != 0
        unseen = sorted(ner.model.attrs.get("unseen_classes") or ())
        self.unseen = np.array(unseen, dtype=int)

    def __call__(self, docs: list[Any]) -> None:
        """Predict and set the entities of every doc (in place)."""
        from spacy.attrs import IS_SPACE, SENT_START
        from spacy.tokens import Span

        docs_with_tokens = [d for d in docs if len(d)]
        if not docs_with_tokens:
            return
        lengths = np.array([len(d) for d in docs_with_tokens])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        arrays = np.concatenate([d.to_array([IS_SPACE, SENT_START]) for d in docs_with_tokens])
        is_space = np.concatenate([arrays[:, 0].astype(bool), [False]])
        sent_start = np.concatenate([arrays[:, 1] == 1, [False]])
        entities = self._decode(docs_with_tokens, lengths, offsets, is_space, sent_start)
        for k, doc in enumerate(docs_with_tokens):
            doc.set_ents([Span(doc, s, e, label=self.label_names[lab]) for s, e, lab in entities[k]],
                         default="outside")

    def _decode(self, docs, lengths, offsets, is_space, sent_start) -> list[list[tuple[int, int, int]]]:
        tokvecs = self.tok2vec.predict(docs)
        cached = self.lower.predict(tokvecs)  # (tokens + 1, nF, nO, nP); row 0 is the padding
        bias = self.lower.get_param("b")
        w, b = self.upper.get_param("W"), self.upper.get_param("b")
        n = len(docs)
        open_label = np.zeros(n, dtype=int)  # 0: no entity open
        ent_start = np.full(n, -1)
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        for t in range(int(lengths.max())):
            active = np.flatnonzero(lengths > t)
            b0 = offsets[active] + t  # global index of the first buffer token
            is_open = open_label[active] != 0
            f1 = np.where(is_open, offsets[active] + ent_start[active], -1)
            f2 = np.where(is_open, b0 - 1, -1)
            unmaxed = cached[b0 + 1, 0] + cached[f1 + 1, 1] + cached[f2 + 1, 2] + bias
            scores = unmaxed.max(axis=-1) @ w.T + b
            if self.unseen.size:
                scores[:, self.unseen] = scores.min()
            remaining = lengths[active] - t
            has_next = remaining >= 2
            next_sent = np.where(has_next, sent_start[np.minimum(b0 + 1, len(sent_start) - 1)], False)
            space = is_space[b0]
            same_label = self.label[None, :] == open_label[active][:, None]
            closed = ~is_open
            valid = ((self.is_b & self.labelled)[None, :] & (closed & has_next & ~next_sent & ~space)[:, None])
            valid |= self.is_i[None, :] & same_label & (is_open & has_next & ~next_sent)[:, None]
            valid |= self.is_l[None, :] & same_label & is_open[:, None]
            valid |= (self.is_u & self.labelled)[None, :] & (closed & ~space)[:, None]
            valid |= self.is_o[None, :] & closed[:, None]
            best = np.where(valid, scores, -np.inf).argmax(axis=1)
            kind, label = self.kind[best], self.label[best]
            for row in np.flatnonzero(kind != _MOVES["O"]):
                k, doc_i = kind[row], active[row]
                if k == _MOVES["B"]:
                    open_label[doc_i], ent_start[doc_i] = label[row], t
                elif k == _MOVES["L"]:
                    found[doc_i].append((int(ent_start[doc_i]), t + 1, int(open_label[doc_i])))
                    open_label[doc_i], ent_start[doc_i] = 0, -1
                elif k == _MOVES["U"]:
                    found[doc_i].append((t, t + 1, int(label[row])))
        return found
