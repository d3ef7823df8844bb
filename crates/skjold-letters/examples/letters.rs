//! Writes the sample letters to a folder and times the access answer with a copy table of
//! 1,000 rows: `cargo run -p skjold-letters --release --example letters -- /tmp/letters`.

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::time::Instant;

use skjold_core::rights::{Outcome, RightKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "letters".to_owned());
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, pdf: &[u8]| -> std::io::Result<()> {
        println!("{name}: {} bytes", pdf.len());
        std::fs::write(format!("{dir}/{name}.pdf"), pdf)
    };
    write(
        "indsigt",
        &skjold_letters::access_answer(&fixtures::access_answer(40))?,
    )?;
    write(
        "udkast",
        &skjold_letters::access_answer(&fixtures::draft(5))?,
    )?;
    let erasure = fixtures::decision(
        RightKind::Erasure,
        Outcome::Granted,
        Some("consent_withdrawn"),
    );
    write("sletning", &skjold_letters::decision(&erasure)?)?;
    let misfiled = fixtures::decision(RightKind::Rectification, Outcome::Granted, Some("misfiled"));
    write("berigtigelse", &skjold_letters::decision(&misfiled)?)?;
    write(
        "forlaengelse",
        &skjold_letters::extension(&fixtures::extension())?,
    )?;
    write(
        "fortegnelse",
        &skjold_letters::records_of_processing(
            &fixtures::records(),
            Some(&fixtures::records_version()),
        )?,
    )?;
    write(
        "brud",
        &skjold_letters::breach_report(&fixtures::breach(), fixtures::CONTROLLER)?,
    )?;

    let big = fixtures::access_answer(1000);
    for round in 1..=3 {
        let start = Instant::now();
        let pdf = skjold_letters::access_answer(&big)?;
        println!(
            "1,000 rows, round {round}: {} bytes in {:.0} ms",
            pdf.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
        if round == 1 {
            write("indsigt-1000", &pdf)?;
        }
    }
    Ok(())
}
