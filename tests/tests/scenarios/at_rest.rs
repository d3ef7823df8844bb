//! Wall 4: the database holds no plaintext personal data. Builds the full demo, then
//! searches the SQLite files (database, WAL, shared memory, and the key store's) and a
//! `pg_dump` of the same demo on PostgreSQL (the data's database and the key store's) for
//! every demo citizen's CPR number, name, phone number and e-mail address, in plain and
//! common encodings, in their data, in messages and attachments about them (in order
//! threads and general threads), and in data requests and decisions. Zero hits. A control
//! search for a staff name, which is stored in clear on purpose, proves the search itself
//! works.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::common::World;
use skjold_app::data_requests::FieldDecisionInput;
use skjold_store::Backend;

crate::on_both_backends!(no_plaintext_personal_data_at_rest);

/// The forms a value could take on disk.
pub(crate) fn encodings(value: &str) -> Vec<Vec<u8>> {
    let utf16: Vec<u8> = value.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let latin1: Option<Vec<u8>> = value
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    let mut out = vec![
        value.as_bytes().to_vec(),
        value.to_lowercase().into_bytes(),
        value.to_uppercase().into_bytes(),
        utf16,
        STANDARD.encode(value).into_bytes(),
        hex::encode(value).into_bytes(),
        hex::encode_upper(value).into_bytes(),
        value.replace(' ', "%20").replace('@', "%40").into_bytes(),
    ];
    out.extend(latin1);
    out
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> bool {
    aho_corasick::AhoCorasick::new([needle]).is_ok_and(|ac| ac.is_match(haystack))
}

/// What is at rest: every file of a SQLite test database's directory (the data, its log,
/// the key store and its log), or a `pg_dump` of the PostgreSQL data database and one of
/// its key store's database.
pub(crate) fn at_rest(w: &World) -> Vec<u8> {
    match w.db.backend {
        Backend::Sqlite => {
            let dir = w.db.data_dir().expect("sqlite dir");
            let key_store = w.db.key_store_path().expect("key store path");
            assert!(key_store.exists(), "no key store beside the data");
            let mut all = Vec::new();
            for entry in std::fs::read_dir(&dir).expect("read dir") {
                let p = entry.expect("entry").path();
                all.extend(std::fs::read(&p).unwrap_or_default());
            }
            all
        }
        Backend::Postgres => {
            let mut all = pg_dump(&w.db.postgres_url().expect("postgres url"));
            all.extend(pg_dump(&w.db.key_store_url().expect("key store url")));
            all
        }
    }
}

/// A plain `pg_dump` of the database at `url`.
pub(crate) fn pg_dump(url: &str) -> Vec<u8> {
    let out = std::process::Command::new("pg_dump")
        .arg("--no-owner")
        .arg(url)
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

async fn no_plaintext_personal_data_at_rest(backend: Backend) {
    let w = World::new(backend, 200).await;
    // One of the 200 asked to be erased, and was.
    assert_eq!(w.demo.citizens.len(), 199);
    assert_eq!(w.demo.erased.len(), 1);
    // Exercise the flows that write, so their rows are searched too.
    let cw = w.actor("sagsbehandler").await;
    for c in &w.demo.citizens[10..20] {
        w.app
            .find_citizen(&cw, &c.cpr.formatted())
            .await
            .expect("search");
        w.app.citizen(&cw, c.id).await.expect("view");
    }
    // Message bodies full of personal data must be sealed too.
    let supplier = w.actor("mentorhuset").await;
    let mut orders = Vec::new();
    for c in &w.demo.citizens[20..30] {
        w.search(&cw, c).await;
        let new = skjold_core::orders::NewOrder {
            subject_id: c.id,
            service_type_id: w.service("MENTOR"),
            supplier_id: w.org("Mentorhuset ApS"),
        };
        let order = w
            .app
            .place_order(&cw, new, &w.content("MENTOR"), None)
            .await
            .expect("order");
        orders.push((order, c.clone()));
        // Free text in the ledger names the citizen: it must be sealed like the data.
        let justification = format!(
            "{} ({}) har brug for skånehensyn i forløbet",
            c.name,
            c.cpr.formatted()
        );
        w.app
            .disclose(&cw, order, "health", &justification)
            .await
            .expect("manual disclosure");
        let body = format!(
            "{} ({}) bor på {}, tlf. {}, e-mail {}.",
            c.name,
            c.cpr.formatted(),
            c.address,
            c.phone,
            c.email
        );
        let why = format!("Mentoren skal kunne kontakte {} på {}", c.name, c.phone);
        w.app
            .send_message(&cw, order, &body, Some(&why))
            .await
            .expect("confirmed message");
        let cv = skjold_app::threads::uploads::Upload {
            filename: format!("CV {}.txt", c.name),
            bytes: format!("{}\n{}\n{}\n{}", c.name, c.address, c.phone, c.email).into_bytes(),
        };
        w.app
            .send_message_with(&supplier, order, "CV vedhæftet.", &[cv], None)
            .await
            .expect("attachment");
        let reply = format!("Vi har ringet til {} på {}.", c.name, c.phone);
        w.app
            .send_message(&supplier, order, &reply, None)
            .await
            .expect("reply");
        let why = format!("{} har bedt om hjemmebesøg på {}", c.name, c.address);
        let request = w
            .app
            .request_data(
                &supplier,
                order,
                &["family_situation".into(), "substance_abuse".into()],
                &why,
            )
            .await
            .expect("request");
        let no = format!(
            "{} ({}) ønsker møder i jobcentret",
            c.name,
            c.cpr.formatted()
        );
        w.app
            .decide_request(
                &cw,
                request,
                &[
                    FieldDecisionInput::reject("family_situation", &no),
                    // Each field's remark and reason is sealed on its own.
                    FieldDecisionInput::approve(
                        "substance_abuse",
                        &format!("{} på {} har sagt ja til hjemmebesøg", c.name, c.phone),
                    ),
                ],
            )
            .await
            .expect("reject");
        w.app.thread(&supplier, order).await.expect("thread");
        // The general thread is for no citizen, but what a supplier writes there anyway is
        // sealed just the same.
        let stray = skjold_app::threads::uploads::Upload {
            filename: format!("{}.txt", c.name),
            bytes: format!("{} {}", c.name, c.email).into_bytes(),
        };
        w.app
            .send_general_message(
                &supplier,
                cw.controller_id,
                &format!("Hvem følger op på {}, tlf. {}?", c.name, c.phone),
                &[stray],
                None,
            )
            .await
            .expect("general message");
    }
    // A colleague in another unit steps in with a reason naming the citizen, and the
    // privacy officer's follow-up note names them too.
    let other_unit = w.actor("sagsbehandler2").await;
    let dpo = w.actor("dpo").await;
    for (order, c) in &orders[..3] {
        w.app
            .open_stand_in(
                &other_unit,
                *order,
                &format!("{} ({}) ringede, kollegaen er syg", c.name, c.phone),
            )
            .await
            .expect("stand-in");
    }
    for s in w.app.follow_up(&dpo).await.expect("follow-up").stand_ins {
        let c = &orders
            .iter()
            .find(|(o, _)| *o == s.order_id)
            .expect("order")
            .1;
        w.app
            .follow_up_stand_in(&dpo, s.id, &format!("Talt med {} om sagen", c.name))
            .await
            .expect("followed up");
    }

    let dump = at_rest(&w);
    assert!(
        dump.len() > 100_000,
        "the dump is suspiciously small: {} bytes",
        dump.len()
    );

    // Control: staff names are stored in clear, so the search must find one.
    assert!(
        find(&dump, "Rasmus Kjærgaard".as_bytes()),
        "control search failed: the search cannot see the data"
    );

    // Every value in every encoding, searched in one pass.
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for c in w.demo.citizens.iter().chain(&w.demo.erased) {
        let phone_digits: String = c.phone.chars().filter(char::is_ascii_digit).collect();
        for value in [
            c.cpr.formatted(),
            c.cpr.digits(),
            c.name.clone(),
            c.phone.clone(),
            phone_digits,
            c.email.clone(),
            c.address.clone(),
        ] {
            needles.extend(encodings(&value).into_iter().map(|e| (value.clone(), e)));
        }
    }
    assert!(needles.len() > 200 * 7 * 8);
    let ac = aho_corasick::AhoCorasick::new(needles.iter().map(|(_, e)| e)).expect("automaton");
    let hits: Vec<String> = ac
        .find_overlapping_iter(&dump)
        .map(|m| {
            let (value, enc) = &needles[m.pattern().as_usize()];
            format!("{value} as {:?}", String::from_utf8_lossy(enc))
        })
        .collect();
    assert!(
        hits.is_empty(),
        "plaintext personal data found at rest: {hits:?}"
    );
    w.done().await;
}
