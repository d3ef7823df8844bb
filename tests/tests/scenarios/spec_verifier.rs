//! A verifier of the access log written only from the public specifications, sharing no
//! code with Skjold (it reads the export as plain JSON and the checkpoints as text):
//! RFC 8785 for the leaf, RFC 6962 §2.1 for the tree (inclusion checked by rebuilding the
//! root from PATH's recursion, consistency from SUBPROOF's), C2SP signed-note and
//! tlog-checkpoint for checkpoints and keys, and the README's `skjold-shard` extension for
//! the chain of months. It checks an export end to end across a month boundary, a
//! consistency proof across it, and the published leaf vectors; and it fails on a tampered
//! export.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{NOW, World};
use skjold_store::Backend;

crate::on_both_backends!(
    an_export_checks_out_by_the_specifications_alone,
    consistency_proofs_across_a_month_hold_by_the_rfc,
);

type H = [u8; 32];

fn sha(parts: &[&[u8]]) -> H {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

// ---- RFC 8785 ---------------------------------------------------------------------------

fn jcs(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let i = n.as_i64().expect("the leaf's numbers are integers");
            assert!(
                i.unsigned_abs() < 1 << 53,
                "beyond the exact range of a double"
            );
            out.push_str(&i.to_string());
        }
        Value::String(s) => jcs_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                jcs(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                jcs_string(k, out);
                out.push(':');
                jcs(&m[k.as_str()], out);
            }
            out.push('}');
        }
    }
}

fn jcs_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The leaf of an exported entry, as the README defines it: the RFC 8785 encoding of its
/// twelve members.
fn leaf_of(entry: &Value) -> String {
    const MEMBERS: [&str; 12] = [
        "at",
        "criterion",
        "detail",
        "id",
        "index",
        "organisation_id",
        "outcome",
        "purpose",
        "stand_in",
        "subject_id",
        "use_kind",
        "user_id",
    ];
    let mut m = serde_json::Map::new();
    for k in MEMBERS {
        m.insert(k.into(), entry.get(k).cloned().unwrap_or(Value::Null));
    }
    let mut out = String::new();
    jcs(&Value::Object(m), &mut out);
    out
}

// ---- RFC 6962 ---------------------------------------------------------------------------

fn leaf_hash(leaf: &[u8]) -> H {
    sha(&[&[0], leaf])
}

fn node(l: &H, r: &H) -> H {
    sha(&[&[1], l, r])
}

fn largest_power_below(n: u64) -> u64 {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) of §2.1.
fn mth(leaves: &[H]) -> H {
    match leaves.len() {
        0 => sha(&[]),
        1 => leaves[0],
        n => {
            let k = largest_power_below(n as u64) as usize;
            node(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// The root PATH(m, D[n]) leads to from the leaf: the recursion of §2.1.1 run backwards,
/// the last element of the path belonging to the top split.
fn root_from_path(m: u64, n: u64, leaf: &H, path: &[H]) -> Option<H> {
    if n == 1 {
        return path.is_empty().then_some(*leaf);
    }
    let (sibling, rest) = path.split_last()?;
    let k = largest_power_below(n);
    Some(if m < k {
        node(&root_from_path(m, k, leaf, rest)?, sibling)
    } else {
        node(sibling, &root_from_path(m - k, n - k, leaf, rest)?)
    })
}

/// SUBPROOF(m, D[n], b) of §2.1.2 run backwards: the roots of the old and the new subtree.
fn subproof_roots(m: u64, n: u64, b: bool, proof: &mut Vec<H>, old_root: &H) -> Option<(H, H)> {
    if m == n {
        let h = if b { *old_root } else { proof.pop()? };
        return Some((h, h));
    }
    let k = largest_power_below(n);
    if m <= k {
        let right = proof.pop()?;
        let (old, new) = subproof_roots(m, k, b, proof, old_root)?;
        Some((old, node(&new, &right)))
    } else {
        let left = proof.pop()?;
        let (old, new) = subproof_roots(m - k, n - k, false, proof, old_root)?;
        Some((node(&left, &old), node(&left, &new)))
    }
}

fn consistent(m: u64, n: u64, old_root: &H, new_root: &H, proof: &[H]) -> bool {
    if m == n {
        return proof.is_empty() && old_root == new_root;
    }
    let mut p = proof.to_vec();
    match subproof_roots(m, n, true, &mut p, old_root) {
        Some((old, new)) => p.is_empty() && old == *old_root && new == *new_root,
        None => false,
    }
}

// ---- C2SP signed-note and tlog-checkpoint ------------------------------------------------

struct Key {
    name: String,
    key: VerifyingKey,
    id: [u8; 4],
}

fn parse_key(vkey: &str) -> Key {
    let mut parts = vkey.splitn(3, '+');
    let (name, id, key) = (
        parts.next().expect("name"),
        parts.next().expect("id"),
        parts.next().expect("key"),
    );
    let raw = B64.decode(key).expect("base64");
    assert_eq!(raw[0], 0x01, "an Ed25519 key");
    let key = VerifyingKey::from_bytes(&raw[1..].try_into().expect("32 bytes")).expect("key");
    let want = sha(&[name.as_bytes(), b"\n", &raw]);
    assert_eq!(hex::encode(&want[..4]), id, "the key ID");
    Key {
        name: name.into(),
        key,
        id: want[..4].try_into().expect("4 bytes"),
    }
}

struct Head {
    origin: String,
    size: u64,
    root: H,
    extensions: Vec<String>,
}

/// Opens a signed note with the key named by its origin line, strictly.
fn open_note(note: &str, keys: &[Key]) -> Result<Head, String> {
    let (body, sigs) = note.split_once("\n\n").ok_or("no blank line")?;
    let body = format!("{body}\n");
    let lines: Vec<&str> = body
        .strip_suffix('\n')
        .ok_or("no newline")?
        .split('\n')
        .collect();
    if lines.len() < 3 {
        return Err("fewer than three lines".into());
    }
    let origin = lines[0];
    let size = lines[1];
    if size.is_empty()
        || !size.bytes().all(|b| b.is_ascii_digit())
        || (size.len() > 1 && size.starts_with('0'))
    {
        return Err(format!("size «{size}»"));
    }
    let root: H = B64
        .decode(lines[2])
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "root length")?;
    let key = keys
        .iter()
        .find(|k| k.name == origin)
        .ok_or(format!("no key for {origin}"))?;
    let mut signed = false;
    for line in sigs.strip_suffix('\n').ok_or("signatures end")?.split('\n') {
        let rest = line.strip_prefix("\u{2014} ").ok_or("signature line")?;
        let (name, blob) = rest.split_once(' ').ok_or("signature line")?;
        let blob = B64.decode(blob).map_err(|e| e.to_string())?;
        if name == key.name && blob.len() == 68 && blob[..4] == key.id {
            let sig = Signature::from_slice(&blob[4..]).map_err(|e| e.to_string())?;
            signed |= key.key.verify(body.as_bytes(), &sig).is_ok();
        }
    }
    if !signed {
        return Err(format!("not signed by {origin}"));
    }
    Ok(Head {
        origin: origin.into(),
        size: size.parse().map_err(|_| "size")?,
        root,
        extensions: lines[3..].iter().map(|s| s.to_string()).collect(),
    })
}

/// Checks a JSON Lines export: every checkpoint, every entry's proof, the chain of months.
/// Returns the checkpoints by shard.
/// The hashes of an export line's `proof` (standard base64, 32 bytes each).
fn proof_hashes(v: &Value) -> Result<Vec<H>, String> {
    v["proof"]
        .as_array()
        .ok_or("proof")?
        .iter()
        .map(|p| {
            B64.decode(p.as_str().unwrap_or(""))
                .ok()
                .and_then(|b| b.try_into().ok())
        })
        .collect::<Option<_>>()
        .ok_or_else(|| "proof hash".to_owned())
}

fn check_export(text: &str, keys: &[Key]) -> Result<Vec<(String, Head)>, String> {
    let mut heads: Vec<(String, Head)> = Vec::new();
    let mut proofs: Vec<(u64, u64, Vec<H>)> = Vec::new();
    let mut entries = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        match v["type"].as_str() {
            Some("checkpoint") => {
                let shard = v["shard"].as_str().ok_or("shard")?.to_owned();
                let head = open_note(v["note"].as_str().ok_or("note")?, keys)?;
                if Some(head.size) != v["size"].as_u64() {
                    return Err("size differs from the note".into());
                }
                heads.push((shard, head));
            }
            Some("consistency") => {
                let hashes = proof_hashes(&v)?;
                let from = v["from"].as_u64().ok_or("from")?;
                let to = v["to"].as_u64().ok_or("to")?;
                proofs.push((from, to, hashes));
            }
            Some("entry") => {
                let e = &v["entry"];
                let shard = e["shard"].as_str().ok_or("shard")?;
                let (_, head) = heads
                    .iter()
                    .find(|(s, _)| s == shard)
                    .ok_or("no checkpoint")?;
                let index = e["index"].as_u64().ok_or("index")?;
                let proof = proof_hashes(&v)?;
                let leaf = leaf_hash(leaf_of(e).as_bytes());
                if root_from_path(index, head.size, &leaf, &proof) != Some(head.root) {
                    return Err(format!("entry {index} of {shard} does not prove"));
                }
                entries += 1;
            }
            _ => {}
        }
    }
    if entries == 0 {
        return Err("no entries".into());
    }
    // The export's consistency proofs join its checkpoints into one history.
    if proofs.len() + 1 < heads.len() {
        return Err("checkpoints without a consistency proof between them".into());
    }
    for (from, to, hashes) in &proofs {
        let root = |size: u64| {
            heads
                .iter()
                .find(|(_, h)| h.size == size)
                .map(|(_, h)| h.root)
        };
        let (Some(old), Some(new)) = (root(*from), root(*to)) else {
            return Err(format!(
                "a consistency proof from {from} to {to} without checkpoints"
            ));
        };
        if !consistent(*from, *to, &old, &new, hashes) {
            return Err(format!("the consistency proof from {from} to {to} fails"));
        }
    }
    // The chain: each shard's checkpoint names the shard, where it starts and the root
    // there, which is the shard before's final checkpoint.
    for w in heads.windows(2) {
        let ((prev_shard, prev), (shard, head)) = (&w[0], &w[1]);
        let ext = head
            .extensions
            .iter()
            .find_map(|e| e.strip_prefix("skjold-shard "))
            .ok_or("no skjold-shard line")?;
        let parts: Vec<&str> = ext.split(' ').collect();
        if parts.len() != 3 || parts[0] != shard {
            return Err(format!("the extension «{ext}» does not name {shard}"));
        }
        if parts[1] != prev.size.to_string() || parts[2] != B64.encode(prev.root) {
            return Err(format!("{shard} does not start where {prev_shard} ends"));
        }
        if head.origin != prev.origin {
            return Err("the months are under different origins".into());
        }
    }
    Ok(heads)
}

async fn an_export_checks_out_by_the_specifications_alone(backend: Backend) {
    // The published leaf vectors, with this verifier's own RFC 8785 writer.
    let doc: Value = serde_json::from_str(include_str!(
        "../../../crates/skjold-store/data/leaf-vectors.json"
    ))
    .expect("vectors");
    let mut leaves = Vec::new();
    for v in doc["vectors"].as_array().expect("vectors") {
        let leaf = v["leaf"].as_str().expect("leaf");
        let mut again = String::new();
        jcs(&serde_json::from_str(leaf).expect("json"), &mut again);
        assert_eq!(again, leaf);
        assert_eq!(
            hex::encode(leaf_hash(leaf.as_bytes())),
            v["leaf_hash"].as_str().expect("hash")
        );
        leaves.push(leaf_hash(leaf.as_bytes()));
        assert_eq!(
            hex::encode(mth(&leaves)),
            v["root_after"].as_str().expect("root")
        );
    }

    // A log across a month's end.
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    for c in &w.demo.citizens[..3] {
        w.search(&cw, c).await;
        w.app.citizen(&cw, c.id).await.expect("view");
    }
    w.app.checkpoint_log().await.expect("sign");
    let month_end = NOW.local_date().plus_months(1).start_local();
    w.clock.set(month_end.plus_seconds(3600));
    for c in &w.demo.citizens[3..] {
        w.search(&cw, c).await;
        w.app.citizen(&cw, c.id).await.expect("view");
    }
    w.app.checkpoint_log().await.expect("sign");
    let text = crate::audit::export_jsonl(&w.app, &dpo).await;
    let keys: Vec<Key> = w
        .app
        .log_verifiers()
        .await
        .expect("keys")
        .iter()
        .map(|k| parse_key(k))
        .collect();
    let heads = check_export(&text, &keys).unwrap_or_else(|e| panic!("the export: {e}"));
    assert_eq!(heads.len(), 2, "two months");

    // A consistency proof across the boundary, as `skjold audit consistency` gives it.
    let (old, new) = (&heads[0].1, &heads[1].1);
    let proof = w
        .app
        .log_consistency(old.size, Some(new.size))
        .await
        .expect("proof");
    let (head, note) = proof.split_once("\n\n").expect("blank line");
    let mut lines = head.split('\n');
    assert_eq!(lines.next(), Some(format!("old {}", old.size).as_str()));
    let hashes: Vec<H> = lines
        .map(|l| B64.decode(l).expect("base64").try_into().expect("32"))
        .collect();
    let signed = open_note(note, &keys).expect("the proof's checkpoint");
    assert_eq!(signed.size, new.size);
    assert!(consistent(
        old.size,
        new.size,
        &old.root,
        &signed.root,
        &hashes
    ));
    assert!(!consistent(
        old.size,
        new.size,
        &new.root,
        &signed.root,
        &hashes
    ));

    // One changed character anywhere in an entry, and it fails.
    let tampered = text.replacen("\"allowed\"", "\"denied\"", 1);
    assert_ne!(tampered, text);
    assert!(check_export(&tampered, &keys).is_err());
    w.done().await;
}

/// A log of 256 entries, 100 in one month and 156 in the next, with a checkpoint at every
/// size: the log's consistency proofs, from sizes on both sides of the month's end to every
/// checkpoint, hold by RFC 6962's SUBPROOF, against roots this verifier computes itself
/// from the exported entries. (Every pair of sizes up to 256, across a pruned boundary, is
/// checked against the literal definitions in `merkle_reference.rs`.)
async fn consistency_proofs_across_a_month_hold_by_the_rfc(backend: Backend) {
    let t = skjold_store::testdb::TestDb::new(backend).await;
    let audit = t.store.audit();
    let first_month = NOW.local_date().start_local().plus_seconds(3600);
    let next_month = NOW
        .local_date()
        .plus_months(1)
        .start_local()
        .plus_seconds(3600);
    for i in 0..256i64 {
        let at = if i < 100 { first_month } else { next_month }.plus_seconds(i);
        audit.log_system_event(at, "post").await.expect("logged");
        audit.checkpoint_log(at).await.expect("signed");
    }
    let export = audit
        .export_log(
            &skjold_core::oversight::LogFilter::default(),
            None,
            next_month.plus_seconds(999),
        )
        .await
        .expect("export");
    let text =
        String::from_utf8(export.write(skjold_store::audit::export::Format::Jsonl)).expect("utf-8");
    let keys: Vec<Key> = audit
        .log_verifiers()
        .await
        .expect("keys")
        .iter()
        .map(|k| parse_key(&k.to_string()))
        .collect();
    let heads = check_export(&text, &keys).unwrap_or_else(|e| panic!("the export: {e}"));
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0].1.size, 100, "the first month's final checkpoint");
    // The leaves, from the entries themselves.
    let mut leaves = vec![[0u8; 32]; 256];
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("json");
        if v["type"] == "entry" {
            let i = v["entry"]["index"].as_u64().expect("index") as usize;
            leaves[i] = leaf_hash(leaf_of(&v["entry"]).as_bytes());
        }
    }
    let mut checked = 0;
    for n in 1..=256u64 {
        let new_root = mth(&leaves[..n as usize]);
        let wide = [100, 101, 256].contains(&n);
        for m in 1..=n {
            if !(wide || [1, 99, 100, 101, n - 1, n].contains(&m)) {
                continue;
            }
            let text = audit
                .consistency_proof(m, Some(n))
                .await
                .unwrap_or_else(|e| panic!("{m} → {n}: {e}"))
                .to_text();
            let (head, note) = text.split_once("\n\n").expect("blank line");
            let mut lines = head.split('\n');
            assert_eq!(lines.next(), Some(format!("old {m}").as_str()));
            let proof: Vec<H> = lines
                .map(|l| B64.decode(l).expect("base64").try_into().expect("32"))
                .collect();
            let signed = open_note(note, &keys).expect("checkpoint");
            assert_eq!(
                (signed.size, signed.root),
                (n, new_root),
                "the checkpoint at {n}"
            );
            let old_root = mth(&leaves[..m as usize]);
            assert!(consistent(m, n, &old_root, &new_root, &proof), "{m} → {n}");
            if m < n {
                let wrong = mth(&leaves[1..=m as usize]);
                assert!(
                    !consistent(m, n, &wrong, &new_root, &proof),
                    "{m} → {n} forged"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1500, "{checked}");
    t.cleanup().await;
}
