//! The operator's commands, run as the real binary: `init`, `user add`, `token create`,
//! and refusals that change nothing.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn skjold(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skjold"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SKJOLD_DATABASE_URL")
        .env_remove("SKJOLD_MASTER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run skjold");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn init_user_and_token() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    // A short password is refused and nothing is set up.
    let short = skjold(
        &dir,
        &[
            "init",
            "--municipality",
            "Testby Kommune",
            "--admin",
            "anna",
            "--name",
            "Anna Berg",
        ],
        "kort\n",
    );
    assert!(!short.status.success());
    assert!(text(&short).contains("mindst 12 tegn"), "{}", text(&short));

    let init = skjold(
        &dir,
        &[
            "init",
            "--municipality",
            "Testby Kommune",
            "--admin",
            "anna",
            "--name",
            "Anna Berg",
        ],
        "en lang nok adgangskode\n",
    );
    assert!(init.status.success(), "{}", text(&init));
    assert!(dir.join("skjold.sqlite").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("master.key"))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = skjold(
        &dir,
        &[
            "init",
            "--municipality",
            "Anden Kommune",
            "--admin",
            "bo",
            "--name",
            "Bo",
        ],
        "en lang nok adgangskode\n",
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("allerede sat op"));

    let add = skjold(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "per",
            "--name",
            "Per Holm",
            "--role",
            "auditor",
            "--organisation",
            "Testby Kommune",
        ],
        "en anden lang adgangskode\n",
    );
    assert!(add.status.success(), "{}", text(&add));
    // The operator sets a password; that also lifts an administrator's demand for a new one.
    let password = skjold(
        &dir,
        &["user", "password", "--username", "per"],
        "pers nye lange adgangskode\n",
    );
    assert!(password.status.success(), "{}", text(&password));
    assert!(
        text(&password).contains("et krav om ny adgangskode er ophævet"),
        "{}",
        text(&password)
    );
    let bad_role = skjold(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "x",
            "--name",
            "X",
            "--role",
            "boss",
            "--organisation",
            "Testby Kommune",
        ],
        "en anden lang adgangskode\n",
    );
    assert!(!bad_role.status.success());

    let token = skjold(&dir, &["token", "create", "--user", "per"], "");
    assert!(token.status.success(), "{}", text(&token));
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(token.starts_with("skj_") && token.len() > 40, "{token}");
    let unknown = skjold(&dir, &["token", "create", "--user", "ingen"], "");
    assert!(!unknown.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_verify_export_and_offline_check() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let demo = skjold(&dir, &["demo", "--no-serve", "--citizens", "12"], "");
    assert!(demo.status.success(), "{}", text(&demo));
    // The demo users' second-factor secrets, for an authenticator app.
    let out = text(&demo);
    let (_, keys) = out
        .split_once("Demobrugernes nøgler til en godkendelsesapp")
        .unwrap_or_else(|| panic!("no secrets printed: {out}"));
    for user in ["admin", "sagsbehandler", "mentorhuset", "dpo", "revisor"] {
        let line = keys
            .lines()
            .find(|l| l.split_whitespace().next() == Some(user) && l.starts_with("  "))
            .unwrap_or_else(|| panic!("no secret for {user}: {out}"));
        let secret = line.split_whitespace().nth(1).unwrap_or_default();
        assert!(
            secret.len() >= 32
                && secret
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
            "{line}"
        );
    }
    assert!(
        out.contains("Engangskode kræves for: Administrator, Sagsbehandler, Leverandørbruger"),
        "{out}"
    );

    let signed = skjold(&dir, &["audit", "checkpoint"], "");
    assert!(
        text(&signed).contains("Signeret: shard"),
        "{}",
        text(&signed)
    );
    let verify = skjold(&dir, &["audit", "verify"], "");
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("Loggen er i orden"));

    let short = skjold(&dir, &["audit", "prune", "--retention-months", "3"], "");
    assert!(!short.status.success());
    assert!(
        text(&short).contains("mindst 6 måneder"),
        "{}",
        text(&short)
    );

    let file = dir.join("adgangslog.jsonl");
    let file_arg = file.to_str().expect("path");
    let export = skjold(
        &dir,
        &["audit", "export", "--as", "dpo", "--out", file_arg],
        "",
    );
    assert!(export.status.success(), "{}", text(&export));
    let key = skjold(&dir, &["audit", "key"], "");
    let key = String::from_utf8_lossy(&key.stdout).trim().to_owned();
    assert!(
        key.starts_with("skjold.invalid/access-log/") && !key.contains('\n'),
        "{key}"
    );
    let ok = skjold(
        &dir,
        &["audit", "verify", "--export", file_arg, "--key", &key],
        "",
    );
    assert!(ok.status.success(), "{}", text(&ok));

    // Proofs for outsiders: a consistency proof as a witness request, an inclusion proof in
    // the tlog-proof format; and a witness's key.
    let consistency = skjold(&dir, &["audit", "consistency", "--from", "1"], "");
    assert!(consistency.status.success(), "{}", text(&consistency));
    let c = String::from_utf8_lossy(&consistency.stdout).into_owned();
    assert!(
        c.starts_with("old 1\n")
            && c.contains(&format!("\n\n{}\n", key.split('+').next().unwrap_or("?"))),
        "{c}"
    );
    let proof = skjold(&dir, &["audit", "proof", "--index", "0"], "");
    assert!(proof.status.success(), "{}", text(&proof));
    let p = String::from_utf8_lossy(&proof.stdout).into_owned();
    assert!(
        p.starts_with("c2sp.org/tlog-proof@v1\nextra ") && p.contains("\nindex 0\n"),
        "{p}"
    );
    let none = skjold(
        &dir,
        &["audit", "consistency", "--from", "1", "--to", "999999"],
        "",
    );
    assert!(!none.status.success());
    assert!(
        text(&none).contains("intet checkpoint er signeret ved størrelse 999999"),
        "{}",
        text(&none)
    );
    let witness_dir = dir.join("witness");
    let wkey = Command::new(env!("CARGO_BIN_EXE_skjold"))
        .args([
            "witness",
            "key",
            "--name",
            "tilsynet.invalid/witness",
            "--dir",
        ])
        .arg(&witness_dir)
        .output()
        .expect("run skjold");
    assert!(wkey.status.success(), "{}", text(&wkey));
    let wkey = String::from_utf8_lossy(&wkey.stdout).trim().to_owned();
    assert!(wkey.starts_with("tilsynet.invalid/witness+"), "{wkey}");
    assert!(witness_dir.join("witness.key").is_file());
    // Requiring a witness that never cosigned fails the check.
    let unwitnessed = skjold(
        &dir,
        &[
            "audit",
            "verify",
            "--export",
            file_arg,
            "--key",
            &key,
            "--witness",
            &wkey,
        ],
        "",
    );
    assert!(!unwitnessed.status.success());
    assert!(
        text(&unwitnessed).contains("cosigned by 0"),
        "{}",
        text(&unwitnessed)
    );

    // One changed character in the export, and the check fails.
    let original = std::fs::read_to_string(&file).expect("export");
    std::fs::write(&file, original.replacen("\"allowed\"", "\"denied\"", 1)).expect("write");
    let bad = skjold(
        &dir,
        &["audit", "verify", "--export", file_arg, "--key", &key],
        "",
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("ikke i orden"), "{}", text(&bad));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plain_http_only_on_loopback_and_lockout_settings_in_range() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-sec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");

    let open = skjold(&dir, &["serve", "--bind", "0.0.0.0:0"], "");
    assert!(!open.status.success());
    assert!(
        text(&open).contains("plain HTTP only on loopback"),
        "{}",
        text(&open)
    );
    let half = skjold(&dir, &["serve", "--tls-cert", "cert.pem"], "");
    assert!(!half.status.success(), "a certificate needs its key");

    let bad = skjold(&dir, &["security", "set", "--lockout-threshold", "11"], "");
    assert!(!bad.status.success());
    assert!(text(&bad).contains("fra 3 til 10"), "{}", text(&bad));
    let shown = skjold(&dir, &["security", "show"], "");
    assert!(
        text(&shown).contains("Spærring efter 5 fejlforsøg inden for 24 timer, i 30 minutter"),
        "nothing changed: {}",
        text(&shown)
    );
    let set = skjold(
        &dir,
        &[
            "security",
            "set",
            "--lockout-threshold",
            "7",
            "--totp-roles",
            "administrator",
        ],
        "",
    );
    assert!(set.status.success(), "{}", text(&set));
    let out = text(&set);
    assert!(out.contains("Spærring efter 7 fejlforsøg"), "{out}");
    assert!(
        out.contains("Engangskode kræves for: Administrator\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backup_and_restore_keep_the_keys_apart() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let init = skjold(
        &data,
        &[
            "init",
            "--municipality",
            "Testby Kommune",
            "--admin",
            "anna",
            "--name",
            "Anna Berg",
        ],
        "en lang nok adgangskode\n",
    );
    assert!(init.status.success(), "{}", text(&init));
    // The key store lives beside the data, in a file of its own.
    assert!(data.join("keys.sqlite").is_file());

    let out = dir.join("backup");
    let backup = skjold(&data, &["backup", "--out", out.to_str().expect("path")], "");
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(text(&backup).contains("uden nøgler"), "{}", text(&backup));
    assert!(out.join("manifest.json").is_file());
    assert!(out.join("skjold.sqlite").is_file());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).expect("read"))
            .expect("json");
    assert_eq!(manifest["backend"], "sqlite");
    assert_eq!(manifest["contents"], "data");
    assert!(manifest["schema_version"].as_i64().is_some_and(|v| v >= 12));
    assert!(manifest["created_at"].as_str().is_some());
    // No key beside the data's backup; the key store's went to its own folder.
    let names: Vec<String> = std::fs::read_dir(&out)
        .expect("backup dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("key")),
        "{names:?} in the data's backup"
    );
    let key_backups: Vec<_> = std::fs::read_dir(data.join("key-backups"))
        .expect("key backups")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(key_backups.len(), 1);
    assert!(key_backups[0].path().join("keys.sqlite").is_file());
    // The same folder is never written twice.
    let again = skjold(&data, &["backup", "--out", out.to_str().expect("path")], "");
    assert!(!again.status.success());
    assert!(text(&again).contains("backup_exists"), "{}", text(&again));

    let restore = skjold(
        &data,
        &["restore", "--from", out.to_str().expect("path")],
        "",
    );
    assert!(restore.status.success(), "{}", text(&restore));
    assert!(
        text(&restore).contains("nøglelager er beholdt"),
        "{}",
        text(&restore)
    );
    // The restored data opens, with its users.
    let token = skjold(&data, &["token", "create", "--user", "anna"], "");
    assert!(token.status.success(), "{}", text(&token));
    let nothing = dir.join("nothing");
    let refused = skjold(
        &data,
        &["restore", "--from", nothing.to_str().expect("path")],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("backup_not_found"),
        "{}",
        text(&refused)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Gives the municipality of the data directory `dir` the purpose the synthetic files use,
/// as its administrator `anna` would in the web UI.
fn add_purpose(dir: &Path) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let app = skjold_app::App::open(&skjold_app::Location {
            data_dir: dir.to_path_buf(),
            database_url: None,
            master_key: None,
            key_store_url: None,
            key_backup_dir: None,
            key_backup_days: None,
        })
        .await
        .expect("open");
        let admin = app.named_user("anna").await.expect("admin");
        app.create_purpose(
            &admin,
            &skjold_app::catalogue::PurposeInput {
                name: "Beskæftigelsesindsats".into(),
                description: "Tilbud efter lov om en aktiv beskæftigelsesindsats.".into(),
                art6: "6.1.e".into(),
                art9: None,
                national_law: "LAB § 5".into(),
                retention: "5 år".into(),
                automated_decision: String::new(),
            },
        )
        .await
        .expect("purpose");
        app.close().await;
    });
}

fn generate(out: &Path, count: &str, seed: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skjold"))
        .args([
            "citizens", "generate", "--count", count, "--seed", seed, "--out",
        ])
        .arg(out)
        .output()
        .expect("run skjold")
}

#[test]
fn citizens_import_reports_bad_lines_and_runs_again_without_duplicates() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let init = skjold(
        &data,
        &[
            "init",
            "--municipality",
            "Testby Kommune",
            "--admin",
            "anna",
            "--name",
            "Anna Berg",
        ],
        "en lang nok adgangskode\n",
    );
    assert!(init.status.success(), "{}", text(&init));
    add_purpose(&data);

    // A synthetic CSV file, the same for the same seed.
    let csv = dir.join("borgere.csv");
    let made = generate(&csv, "50", "4");
    assert!(made.status.success(), "{}", text(&made));
    let first = std::fs::read_to_string(&csv).expect("read");
    assert!(generate(&csv, "50", "4").status.success());
    assert_eq!(std::fs::read_to_string(&csv).expect("read"), first);
    let mut lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines[0], "cpr,name,field,value,source,purpose");
    assert_eq!(lines.len(), 1 + 50 * 4);
    // Line 11: a field the taxonomy does not have, for a citizen of its own.
    lines.insert(
        10,
        "010203-4321,Bo Berg,shoe_size,44,Borgeren,Beskæftigelsesindsats",
    );
    std::fs::write(&csv, lines.join("\n") + "\n").expect("write");

    let path = csv.to_str().expect("path");
    let import = skjold(&data, &["citizens", "import", path], "");
    assert!(import.status.success(), "{}", text(&import));
    let out = text(&import);
    assert!(out.contains("Linje 11:"), "{out}");
    assert!(out.contains("unknown_field"), "{out}");
    assert!(
        out.contains("Indlæst: 50, sprunget over (findes allerede): 0, fejl: 1."),
        "{out}"
    );
    assert!(out.contains("borgere/s"), "{out}");

    // Again: nothing twice.
    let again = skjold(
        &data,
        &["citizens", "import", path, "--controller", "Testby Kommune"],
        "",
    );
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("Indlæst: 0, sprunget over (findes allerede): 50, fejl: 1."),
        "{}",
        text(&again)
    );

    // JSON Lines, one citizen a line; an unknown municipality is refused.
    let jsonl = dir.join("borgere.jsonl");
    assert!(generate(&jsonl, "20", "5").status.success());
    let jpath = jsonl.to_str().expect("path");
    let refused = skjold(
        &data,
        &["citizens", "import", jpath, "--controller", "Ingen Kommune"],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("organisation_not_found"),
        "{}",
        text(&refused)
    );
    let json = skjold(&data, &["citizens", "import", jpath, "--batch", "7"], "");
    assert!(json.status.success(), "{}", text(&json));
    assert!(
        text(&json).contains("Indlæst: 20, sprunget over (findes allerede): 0, fejl: 0."),
        "{}",
        text(&json)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `skjold retention run` on the demo deletes what is due and writes its receipts (to the
/// file connector too); a second run deletes nothing. The records of processing export in
/// all three formats.
#[test]
fn retention_runs_once_on_the_demo_and_the_records_export() {
    let dir = std::env::temp_dir().join(format!("skjold-cli-desk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let demo = skjold(&dir, &["demo", "--no-serve", "--citizens", "20"], "");
    assert!(demo.status.success(), "{}", text(&demo));

    let dry = skjold(&dir, &["retention", "run", "--dry-run"], "");
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("Ville handlet på 2 post(er)"),
        "{}",
        text(&dry)
    );
    let run = skjold(&dir, &["retention", "run"], "");
    assert!(run.status.success(), "{}", text(&run));
    assert!(
        text(&run).contains("Har handlet på 2 post(er)"),
        "{}",
        text(&run)
    );
    assert!(
        text(&run).contains("leveret til tilsluttede systemer: 2; afventer: 0"),
        "{}",
        text(&run)
    );
    let receipts = std::fs::read_to_string(dir.join("deletion-receipts.jsonl")).expect("receipts");
    assert_eq!(receipts.lines().count(), 2);
    let again = skjold(&dir, &["retention", "run"], "");
    assert!(
        text(&again).contains("Har handlet på 0 post(er)"),
        "{}",
        text(&again)
    );

    for format in ["json", "csv", "pdf"] {
        let out = dir.join(format!("fortegnelse.{format}"));
        let export = skjold(
            &dir,
            &[
                "records",
                "export",
                "--as",
                "dpo",
                "--format",
                format,
                "--out",
                out.to_str().expect("path"),
            ],
            "",
        );
        assert!(export.status.success(), "{}", text(&export));
        let bytes = std::fs::read(&out).expect("export");
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                assert_eq!(v["records"]["units"].as_array().map(Vec::len), Some(2));
            }
            "csv" => assert!(String::from_utf8_lossy(&bytes).starts_with("art30,")),
            _ => {
                assert!(bytes.starts_with(b"%PDF"));
                let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF opens");
                assert!(text.contains("Jobcenter København Nord"), "{text}");
            }
        }
    }
    let bad = skjold(
        &dir,
        &["records", "export", "--as", "dpo", "--format", "xml"],
        "",
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("json, csv eller pdf"));
    let _ = std::fs::remove_dir_all(&dir);
}
