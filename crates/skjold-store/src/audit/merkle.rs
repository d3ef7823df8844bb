//! Merkle tree hashing after RFC 6962 §2.1 (the same as RFC 9162 §2.1): leaves hashed with a
//! 0x00 prefix, interior nodes with 0x01, the tree split at the largest power of two below
//! its size. Pure functions, no storage; the log keeps only leaf hashes and a
//! [`Frontier`], and builds a [`Tree`] when it needs proofs.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: the hash of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The roots of the perfect subtrees that make up a tree, largest first: one per set bit
/// of its size. Enough to append a leaf and to compute the root in O(log n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut bits = self.size;
        while bits & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => node = node_hash(&left, &node),
                None => break,
            }
            bits >>= 1;
        }
        self.nodes.push(node);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        match nodes.next() {
            None => empty_root(),
            Some(last) => nodes.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.nodes.concat()
    }

    /// Rebuilds a frontier from its size and stored nodes; `None` if they do not fit.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Option<Frontier> {
        if bytes.len() != 32 * size.count_ones() as usize {
            return None;
        }
        let nodes = bytes
            .chunks_exact(32)
            .map(|c| <Hash>::try_from(c).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Frontier { size, nodes })
    }
}

/// A tree in memory, level by level, for proofs. Level 0 holds the leaf hashes from
/// `base` on; level k holds the roots of the complete, aligned subtrees of 2^k leaves that
/// lie wholly at or after `base`. The leaves before `base` (a pruned prefix of the log) are
/// represented by the [`Frontier`] at `base` alone: every node a proof about the later
/// leaves needs is either one of its subtrees or made of them and later leaves.
#[derive(Debug, Clone)]
pub struct Tree {
    base: u64,
    /// The frontier at `base`: (first leaf, level, root) of each of its perfect subtrees.
    prefix: Vec<(u64, u32, Hash)>,
    levels: Vec<Vec<Hash>>,
}

/// The first aligned 2^level block at or after `base`.
fn first_block(base: u64, level: usize) -> u64 {
    base.div_ceil(1 << level)
}

impl Tree {
    pub fn new(leaves: Vec<Hash>) -> Tree {
        Tree::with_base(&Frontier::default(), leaves)
    }

    /// The tree whose first `base.size()` leaves are summarised by `base` and whose
    /// further leaves are `leaves`.
    pub fn with_base(base: &Frontier, leaves: Vec<Hash>) -> Tree {
        let start = base.size();
        let mut prefix = Vec::with_capacity(base.nodes.len());
        let mut at = 0u64;
        for (node, bit) in base
            .nodes
            .iter()
            .zip((0..64u32).rev().filter(|b| start & (1u64 << b) != 0))
        {
            prefix.push((at, bit, *node));
            at += 1u64 << bit;
        }
        let end = start + leaves.len() as u64;
        let mut levels = vec![leaves];
        loop {
            let k = levels.len();
            let below = &levels[k - 1];
            let first = first_block(start, k);
            let below_first = first_block(start, k - 1);
            let count = (end >> k).saturating_sub(first);
            if count == 0 {
                break;
            }
            let next = (first..first + count)
                .map(|i| {
                    let l = (2 * i - below_first) as usize;
                    node_hash(&below[l], &below[l + 1])
                })
                .collect();
            levels.push(next);
        }
        Tree {
            base: start,
            prefix,
            levels,
        }
    }

    /// The number of leaves, the summarised prefix included.
    pub fn size(&self) -> u64 {
        self.base + self.levels[0].len() as u64
    }

    /// The first leaf this tree can prove anything about.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The root of the tree's first `n` leaves, if `n` is the base or after it.
    pub fn root_at(&self, n: u64) -> Option<Hash> {
        match n {
            0 => Some(empty_root()),
            _ if n < self.base || n > self.size() => None,
            _ => self.range(0, n),
        }
    }

    /// MTH(D[start:end]) for 0 ≤ start < end ≤ size, where the range is one the RFC's
    /// recursion produces (start a multiple of the largest power of two that fits).
    /// `None` where it needs leaves before the base that the frontier does not summarise.
    fn range(&self, start: u64, end: u64) -> Option<Hash> {
        let n = end - start;
        if n.is_power_of_two() && start.is_multiple_of(n) {
            let level = n.trailing_zeros();
            if start >= self.base {
                let i = (start >> level) - first_block(self.base, level as usize);
                return Some(self.levels[level as usize][i as usize]);
            }
            if end <= self.base {
                return self
                    .prefix
                    .iter()
                    .find(|(at, l, _)| *at == start && *l == level)
                    .map(|(_, _, h)| *h);
            }
            let half = n / 2;
            return Some(node_hash(
                &self.range(start, start + half)?,
                &self.range(start + half, end)?,
            ));
        }
        let k = split(n);
        Some(node_hash(
            &self.range(start, start + k)?,
            &self.range(start + k, end)?,
        ))
    }

    /// The audit path of leaf `index` in the tree of the first `n` leaves (RFC 6962
    /// §2.1.1), lowest sibling first. `None` if `index ≥ n` or `n` exceeds the tree.
    pub fn inclusion_proof(&self, index: u64, n: u64) -> Option<Vec<Hash>> {
        if index >= n || n > self.size() || index < self.base {
            return None;
        }
        let mut out = Vec::new();
        self.path(index, 0, n, &mut out)?;
        Some(out)
    }

    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) -> Option<()> {
        let n = end - start;
        if n <= 1 {
            return Some(());
        }
        let k = split(n);
        if m < k {
            self.path(m, start, start + k, out)?;
            out.push(self.range(start + k, end)?);
        } else {
            self.path(m - k, start + k, end, out)?;
            out.push(self.range(start, start + k)?);
        }
        Some(())
    }

    /// The proof that the tree of the first `m` leaves is a prefix of the tree of the
    /// first `n` (RFC 6962 §2.1.2). `None` unless 0 < m ≤ n ≤ size and m is at or after
    /// the base.
    pub fn consistency_proof(&self, m: u64, n: u64) -> Option<Vec<Hash>> {
        if m == 0 || m > n || n > self.size() || m < self.base {
            return None;
        }
        let mut out = Vec::new();
        self.subproof(m, 0, n, true, &mut out)?;
        Some(out)
    }

    fn subproof(
        &self,
        m: u64,
        start: u64,
        end: u64,
        whole: bool,
        out: &mut Vec<Hash>,
    ) -> Option<()> {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(self.range(start, end)?);
            }
            return Some(());
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, whole, out)?;
            out.push(self.range(start + k, end)?);
        } else {
            self.subproof(m - k, start + k, end, false, out)?;
            out.push(self.range(start, start + k)?);
        }
        Some(())
    }
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Checks a consistency proof between trees of sizes `first` and `second`
/// (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 || first > second || proof.is_empty() {
        return false;
    }
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(first_root);
    }
    path.extend(proof);
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*path[0], *path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *first_root && sr == *second_root
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Roots of the reference tree in certificate-transparency's merkle_tree_test, for
    /// the first 1..=8 of its leaves.
    #[test]
    fn known_answers() {
        let leaves: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
        let tree = Tree::new(hashes.clone());
        let mut frontier = Frontier::default();
        for (n, expected) in roots.iter().enumerate() {
            frontier.push(hashes[n]);
            assert_eq!(hex::encode(frontier.root()), *expected, "size {}", n + 1);
            assert_eq!(
                tree.root_at(n as u64 + 1).map(hex::encode).as_deref(),
                Some(*expected)
            );
        }
        let again = Frontier::from_bytes(frontier.size(), &frontier.to_bytes());
        assert_eq!(again.as_ref(), Some(&frontier));
        assert_eq!(Frontier::from_bytes(7, &[0; 64]), None);
    }

    #[test]
    fn tampered_proofs_fail() {
        let leaves: Vec<Hash> = (0u32..13).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = Tree::new(leaves.clone());
        let root = tree.root_at(13).expect("root");
        let proof = tree.inclusion_proof(5, 13).expect("proof");
        assert!(verify_inclusion(5, 13, &leaves[5], &proof, &root));
        assert!(!verify_inclusion(6, 13, &leaves[5], &proof, &root));
        assert!(!verify_inclusion(5, 13, &leaves[6], &proof, &root));
        assert!(!verify_inclusion(5, 6, &leaves[5], &proof, &root));
        assert!(!verify_inclusion(5, 13, &leaves[5], &proof[1..], &root));
        let mut bent = proof.clone();
        bent[0][0] ^= 1;
        assert!(!verify_inclusion(5, 13, &leaves[5], &bent, &root));
        let c = tree.consistency_proof(6, 13).expect("proof");
        let old = tree.root_at(6).expect("root");
        assert!(verify_consistency(6, 13, &old, &root, &c));
        assert!(!verify_consistency(
            6,
            13,
            &tree.root_at(5).expect("root"),
            &root,
            &c
        ));
        assert!(!verify_consistency(5, 13, &old, &root, &c));
        assert!(!verify_consistency(6, 13, &old, &root, &c[1..]));
    }
}
