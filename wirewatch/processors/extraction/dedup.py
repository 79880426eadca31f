"""Near-duplicate detection for syndicated wire copy (MinHash over word shingles + LSH).

Wire stories are rewritten and republished (North Press retelling Reuters): exact hashes miss them,
MinHash estimates the Jaccard similarity of word 3-shingles and LSH finds candidates in constant
time. The index is bounded: past ``max_entries`` the oldest article is evicted, so memory stays flat
in a long-lived worker. A duplicate joins the cluster of the article it matches; the cluster id is
the id of the cluster's first article, which is stable and meaningful downstream.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from datasketch import MinHash, MinHashLSH

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = 3) -> set[bytes]:
    """Lower-cased word n-grams; short texts fall back to single words so they still compare."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {w.encode("utf-8") for w in words}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


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
        minhash = MinHash(num_perm=self.num_perm, permutations=template.permutations, scheme=template.scheme)
        minhash.update_batch(list(shingles(text, self.shingle)))
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
