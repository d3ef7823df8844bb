//! The log's Merkle tree against a second, independent implementation: RFC 6962's
//! recursive definitions (MTH, PATH, PROOF/SUBPROOF) written out literally over slices of
//! leaf data, with nothing shared with `skjold_store::audit::merkle` but SHA-256.
//!
//! Every tree size up to 1024 (every leaf's inclusion proof), every pair of sizes up to
//! 256 (consistency proofs), and random large trees.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use skjold_store::audit::merkle::{
    Frontier, Hash, Tree, leaf_hash, verify_consistency, verify_inclusion,
};

/// RFC 6962 §2.1, literally. MTH results are memoised by range, which changes nothing
/// but the running time.
struct Rfc6962<'a> {
    data: &'a [Vec<u8>],
    memo: HashMap<(usize, usize), Hash>,
}

/// "the largest power of two smaller than n"
fn k_for(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

impl Rfc6962<'_> {
    fn mth(&mut self, a: usize, b: usize) -> Hash {
        if let Some(h) = self.memo.get(&(a, b)) {
            return *h;
        }
        let n = b - a;
        let h: Hash = match n {
            0 => Sha256::digest(b"").into(),
            1 => Sha256::digest([&[0u8][..], &self.data[a]].concat()).into(),
            _ => {
                let k = k_for(n);
                let left = self.mth(a, a + k);
                let right = self.mth(a + k, b);
                Sha256::digest([&[1u8][..], &left, &right].concat()).into()
            }
        };
        self.memo.insert((a, b), h);
        h
    }

    /// PATH(m, D[a:b])
    fn path(&mut self, m: usize, a: usize, b: usize) -> Vec<Hash> {
        let n = b - a;
        if n <= 1 {
            return Vec::new();
        }
        let k = k_for(n);
        if m < k {
            let mut p = self.path(m, a, a + k);
            p.push(self.mth(a + k, b));
            p
        } else {
            let mut p = self.path(m - k, a + k, b);
            p.push(self.mth(a, a + k));
            p
        }
    }

    /// SUBPROOF(m, D[a:b], flag)
    fn subproof(&mut self, m: usize, a: usize, b: usize, flag: bool) -> Vec<Hash> {
        let n = b - a;
        if m == n {
            return if flag {
                Vec::new()
            } else {
                vec![self.mth(a, b)]
            };
        }
        let k = k_for(n);
        if m <= k {
            let mut p = self.subproof(m, a, a + k, flag);
            p.push(self.mth(a + k, b));
            p
        } else {
            let mut p = self.subproof(m - k, a + k, b, false);
            p.push(self.mth(a, a + k));
            p
        }
    }
}

fn data(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
}

#[test]
fn every_tree_up_to_1024_and_every_inclusion_proof() {
    let d = data(1024);
    let mut r = Rfc6962 {
        data: &d,
        memo: HashMap::new(),
    };
    let leaves: Vec<Hash> = d.iter().map(|x| leaf_hash(x)).collect();
    let tree = Tree::new(leaves.clone());
    let mut frontier = Frontier::default();
    assert_eq!(tree.root_at(0), Some(r.mth(0, 0)));
    let mut proofs = 0;
    for n in 1..=1024usize {
        frontier.push(leaves[n - 1]);
        let root = r.mth(0, n);
        assert_eq!(frontier.root(), root, "frontier root at size {n}");
        assert_eq!(tree.root_at(n as u64), Some(root), "tree root at size {n}");
        if n.is_power_of_two() || n % 97 == 0 {
            assert_eq!(
                Tree::new(leaves[..n].to_vec()).root_at(n as u64),
                Some(root)
            );
        }
        for (m, leaf) in leaves[..n].iter().enumerate() {
            let proof = tree.inclusion_proof(m as u64, n as u64).expect("proof");
            assert_eq!(proof, r.path(m, 0, n), "PATH({m}, D[{n}])");
            assert!(verify_inclusion(m as u64, n as u64, leaf, &proof, &root));
            proofs += 1;
        }
        // A proof never verifies for the wrong leaf.
        if n > 1 {
            let proof = tree.inclusion_proof(0, n as u64).expect("proof");
            assert!(!verify_inclusion(0, n as u64, &leaves[1], &proof, &root));
        }
    }
    assert_eq!(proofs, 1024 * 1025 / 2);
    assert!(tree.inclusion_proof(1024, 1024).is_none());
}

#[test]
fn every_pair_of_sizes_up_to_256_is_consistent() {
    let d = data(256);
    let mut r = Rfc6962 {
        data: &d,
        memo: HashMap::new(),
    };
    let tree = Tree::new(d.iter().map(|x| leaf_hash(x)).collect());
    let mut pairs = 0;
    for n in 1..=256usize {
        let new_root = r.mth(0, n);
        for m in 1..=n {
            let old_root = r.mth(0, m);
            let proof = tree.consistency_proof(m as u64, n as u64).expect("proof");
            assert_eq!(proof, r.subproof(m, 0, n, true), "PROOF({m}, D[{n}])");
            assert!(
                verify_consistency(m as u64, n as u64, &old_root, &new_root, &proof),
                "{m} → {n}"
            );
            if m < n {
                // A different old tree is not consistent with the new one.
                let other = r.mth(1, m + 1);
                assert!(!verify_consistency(
                    m as u64, n as u64, &other, &new_root, &proof
                ));
            }
            pairs += 1;
        }
    }
    assert_eq!(pairs, 256 * 257 / 2);
}

/// A log whose first shards were pruned keeps only the frontier at the boundary; from it
/// and the later leaves come the same proofs, for every pair of sizes up to 256 at or after
/// the boundary, and for every boundary up to 33 and some beyond. Nothing before the boundary is provable.
#[test]
fn proofs_across_a_pruned_shard_boundary() {
    let d = data(256);
    let mut r = Rfc6962 {
        data: &d,
        memo: HashMap::new(),
    };
    let leaves: Vec<Hash> = d.iter().map(|x| leaf_hash(x)).collect();
    let mut checked = 0;
    for base in (0..=33usize).chain([63, 64, 65, 100, 128, 129, 200, 255]) {
        let mut frontier = Frontier::default();
        leaves[..base].iter().for_each(|l| frontier.push(*l));
        let tree = Tree::with_base(&frontier, leaves[base..].to_vec());
        assert_eq!(tree.size(), 256);
        for n in base.max(1)..=256usize {
            let new_root = r.mth(0, n);
            assert_eq!(
                tree.root_at(n as u64),
                Some(new_root),
                "base {base}, size {n}"
            );
            for m in base.max(1)..=n {
                let proof = tree.consistency_proof(m as u64, n as u64).expect("proof");
                assert_eq!(
                    proof,
                    r.subproof(m, 0, n, true),
                    "base {base}: PROOF({m}, D[{n}])"
                );
                checked += 1;
            }
            for (m, leaf) in leaves.iter().enumerate().take(n).skip(base) {
                let proof = tree.inclusion_proof(m as u64, n as u64).expect("proof");
                assert_eq!(proof, r.path(m, 0, n), "base {base}: PATH({m}, D[{n}])");
                assert!(verify_inclusion(
                    m as u64, n as u64, leaf, &proof, &new_root
                ));
            }
        }
        if base > 1 {
            assert!(tree.inclusion_proof(base as u64 - 1, 256).is_none());
            assert!(tree.consistency_proof(base as u64 - 1, 256).is_none());
            assert!(tree.root_at(base as u64 - 1).is_none());
        }
    }
    assert!(checked > 256 * 257 / 2);
}

#[test]
fn random_large_trees() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let d = data(200_000);
    let leaves: Vec<Hash> = d.iter().map(|x| leaf_hash(x)).collect();
    let tree = Tree::new(leaves.clone());
    let mut r = Rfc6962 {
        data: &d,
        memo: HashMap::new(),
    };
    for _ in 0..200 {
        let n = rng.gen_range(1025..=200_000usize);
        let m = rng.gen_range(0..n);
        let root = r.mth(0, n);
        assert_eq!(tree.root_at(n as u64), Some(root));
        let proof = tree.inclusion_proof(m as u64, n as u64).expect("proof");
        assert_eq!(proof, r.path(m, 0, n));
        assert!(verify_inclusion(
            m as u64, n as u64, &leaves[m], &proof, &root
        ));
        let first = rng.gen_range(1..=n);
        let proof = tree
            .consistency_proof(first as u64, n as u64)
            .expect("proof");
        assert_eq!(proof, r.subproof(first, 0, n, true));
        let old = r.mth(0, first);
        assert!(verify_consistency(
            first as u64,
            n as u64,
            &old,
            &root,
            &proof
        ));
    }
}
