"""Near-duplicate detection for syndicated wire copy (MinHash over word shingles + LSH).

Wire stories are rewritten and republished (North Press retelling Reuters): exact hashes miss them,
MinHash estimates the Jaccard similarity of word 3-shingles and LSH finds candidates in constant
time. The index is bounded: past ``max_entries`` the oldest article is evicted, so memory stays flat
in a long-lived worker. A duplicate joins the cluster of the article it matches; the cluster id is
the id of the cluster's first article, which is stable and meaningful downstream.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict

import numpy as np
from datasketch import MinHash, MinHashLSH

from .actors import normalise

_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(text: str, size: int = 3) -> list[int]:
    """32-bit hashes of the distinct word n-grams, words compared without case, accents or punctuation.

    Words are hashed once each (CRC-32, in C) and an n-gram's hash is mixed from its words' hashes
    with vectorised arithmetic: no n-gram string is ever built, which made hashing the costliest
    step of enrichment. Short texts fall back to single words so they still compare.
    """
    words = normalise(text).replace(".", " ").encode("utf-8").split()
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    count = len(hashes) - size + 1
    if count > 0:
        mixed = hashes[:count].copy()
        for k in range(1, size):
            mixed = mixed * _MIX ^ hashes[k : count + k]
        hashes = (mixed * _MIX) >> np.uint64(32)
    return np.unique(hashes).tolist()


class NearDuplicateIndex:
    """Bounded MinHash-LSH index: ``check_and_add`` returns ``(duplicate_of, cluster)``."""

    def __init__(self, max_entries: int = 50_000, threshold: float = 0.5, num_perm: int = 64, shingle: int = 3) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self.max_entries = max_entries
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        # Drawing the random permutations costs ~0.35 ms per MinHash; every signature shares one draw.
        self._template = MinHash(num_perm=num_perm)
        self._entries: OrderedDict[str, tuple[MinHash, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._entries

    def signature(self, text: str) -> MinHash:
        """The MinHash of ``text``'s shingles."""
        template = self._template
        minhash = MinHash(num_perm=self.num_perm, permutations=template.permutations, scheme=template.scheme, hashfunc=int)
        minhash.update_batch(shingle_hashes(text, self.shingle))
        return minhash

    def check_and_add(self, article_id: str, text: str) -> tuple[str | None, str]:
        """Find the most similar indexed article above the threshold, then index this one.

        Re-checking an id already indexed (a redelivered message) returns its original answer and
        does not index it twice.
        """
        if article_id in self._entries:
            _, cluster = self._entries[article_id]
            return (None if cluster == article_id else cluster), cluster
        minhash = self.signature(text)
        best: tuple[float, str] | None = None
        for candidate in self._lsh.query(minhash):
            other, _ = self._entries[candidate]
            score = minhash.jaccard(other)
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, candidate)
        duplicate_of = best[1] if best else None
        cluster = self._entries[duplicate_of][1] if duplicate_of else article_id
        self._insert(article_id, minhash, cluster)
        return duplicate_of, cluster

    def _insert(self, article_id: str, minhash: MinHash, cluster: str) -> None:
        """Index and evict the oldest entries past the bound."""
        self._lsh.insert(article_id, minhash)
        self._entries[article_id] = (minhash, cluster)
        while len(self._entries) > self.max_entries:
            old_id, _ = self._entries.popitem(last=False)
            self._lsh.remove(old_id)
