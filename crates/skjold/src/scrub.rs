//! `skjold scrub`: finds and replaces personal data in text, JSONL and UBL e-invoices.
//! A thin layer over the `skjold-scrub` library: parse arguments, open files, show
//! progress, print results. One bad file or line gets a clear error; the run goes on and
//! exits non-zero at the end.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use skjold_app::scrub::ubl::UblAction;
use skjold_app::scrub::{Config, Scrubber};

#[derive(Args, Debug)]
pub struct ScrubArgs {
    #[command(subcommand)]
    pub command: ScrubCommand,
    /// File holding the key for keyed pseudonyms (stable across documents). Without it,
    /// codes are numbered per document: [NAVN-1], [NAVN-2].
    #[arg(long, global = true, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Drop findings below this confidence (0.0-1.0).
    #[arg(long, global = true, default_value_t = 0.5)]
    pub min_confidence: f32,
    /// Worker threads for JSONL lines and UBL files (0: one per core). Output order is
    /// input order whatever the number.
    #[arg(long, global = true, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Subcommand, Debug)]
pub enum ScrubCommand {
    /// Scrub standard input to standard output.
    Text,
    /// Scrub JSONL lines {"id", "text"} into {"id", "text", "findings"} (byte offsets).
    Jsonl {
        /// Input JSONL file ("-" for standard input).
        input: PathBuf,
        /// Output JSONL file ("-" for standard output).
        output: PathBuf,
    },
    /// Scrub UBL invoices and credit notes (OIOUBL, PEPPOL BIS 3, EHF) into a directory,
    /// with a report (<name>.report.json) beside each output file.
    Ubl {
        /// Input XML files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Keep an embedded text attachment when scanning finds nothing in it
        /// (binary attachments are always removed).
        #[arg(long)]
        keep_clean_attachments: bool,
    },
    /// Score the scrubber against a labelled corpus (gold JSONL).
    Eval {
        /// Gold corpus in the format of shared/data/pii-dev/corpus.jsonl.
        gold: PathBuf,
        /// Also print missed gold spans and findings outside the gold (personal data!).
        #[arg(long)]
        show_errors: bool,
    },
}

fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template =
        format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

fn scrubber(args: &ScrubArgs, keep_clean_attachments: bool) -> Result<Scrubber> {
    let key = match &args.key_file {
        Some(p) => {
            let k =
                std::fs::read(p).with_context(|| format!("reading key file {}", p.display()))?;
            let k = k.trim_ascii().to_vec();
            if k.is_empty() {
                bail!("key file {} is empty", p.display());
            }
            Some(k)
        }
        None => None,
    };
    let config = Config {
        key,
        min_confidence: args.min_confidence,
        keep_clean_attachments,
        ..Config::default()
    };
    Scrubber::new(config).context("building the scrubber")
}

pub fn run(args: ScrubArgs) -> Result<()> {
    match &args.command {
        ScrubCommand::Text => {
            let s = scrubber(&args, false)?;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading standard input (must be UTF-8)")?;
            let out = s.scrub(&text);
            std::io::stdout().write_all(out.text.as_bytes())?;
            Ok(())
        }
        ScrubCommand::Jsonl { input, output } => {
            let s = scrubber(&args, false)?;
            let (reader, total): (Box<dyn std::io::BufRead + Send>, u64) =
                if input.as_os_str() == "-" {
                    (Box::new(BufReader::new(std::io::stdin())), 0)
                } else {
                    let f = File::open(input)
                        .with_context(|| format!("opening {}", input.display()))?;
                    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                    (Box::new(BufReader::new(f)), len)
                };
            let writer: Box<dyn Write + Send> = if output.as_os_str() == "-" {
                Box::new(BufWriter::new(std::io::stdout()))
            } else {
                let f = File::create(output)
                    .with_context(|| format!("creating {}", output.display()))?;
                Box::new(BufWriter::new(f))
            };
            let bar = progress_bar(total, "bytes");
            let summary = skjold_app::scrub::with_threads(args.threads, || {
                s.scrub_jsonl(reader, writer, &mut |p| bar.set_position(p.bytes))
            })
            .context("starting worker threads")?
            .with_context(|| format!("scrubbing {}", input.display()))?;
            bar.finish_and_clear();
            eprintln!("{} lines, {} findings", summary.lines, summary.findings);
            if !summary.bad_lines.is_empty() {
                for n in &summary.bad_lines {
                    eprintln!(
                        "error: {}: line {n} is not a JSON object with \"id\" and \"text\"",
                        input.display()
                    );
                }
                bail!("{} bad line(s) skipped", summary.bad_lines.len());
            }
            Ok(())
        }
        ScrubCommand::Ubl {
            inputs,
            out,
            keep_clean_attachments,
        } => {
            let s = scrubber(&args, *keep_clean_attachments)?;
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            let bar = progress_bar(inputs.len() as u64, "files");
            // Output names are chosen in input order first, so the result does not
            // depend on which file a core finishes first.
            let mut used = std::collections::HashSet::new();
            let named: Vec<(&PathBuf, Result<std::ffi::OsString>)> = inputs
                .iter()
                .map(|input| (input, unique_name(input, &mut used)))
                .collect();
            let results: Vec<Result<()>> = skjold_app::scrub::with_threads(args.threads, || {
                use rayon::prelude::*;
                named
                    .par_iter()
                    .map(|(input, name)| {
                        let r = match name {
                            Ok(name) => scrub_one_ubl(&s, input, out, name),
                            Err(e) => Err(anyhow::anyhow!("{e:#}")),
                        };
                        bar.inc(1);
                        r
                    })
                    .collect()
            })
            .context("starting worker threads")?;
            let mut failed = 0usize;
            for ((input, _), r) in named.iter().zip(results) {
                if let Err(e) = r {
                    bar.suspend(|| eprintln!("error: {}: {e:#}", input.display()));
                    failed += 1;
                }
            }
            bar.finish_and_clear();
            eprintln!(
                "{} of {} files scrubbed into {}",
                inputs.len() - failed,
                inputs.len(),
                out.display()
            );
            if failed > 0 {
                bail!("{failed} file(s) failed");
            }
            Ok(())
        }
        ScrubCommand::Eval { gold, show_errors } => {
            let s = scrubber(&args, false)?;
            let f = File::open(gold).with_context(|| format!("opening {}", gold.display()))?;
            let bar = progress_bar(f.metadata().map(|m| m.len()).unwrap_or(0), "bytes");
            let report = s
                .evaluate(BufReader::new(f), &mut |p| bar.set_position(p.bytes))
                .with_context(|| format!("evaluating {}", gold.display()))?;
            bar.finish_and_clear();
            println!("{report}");
            if *show_errors {
                for m in &report.misses {
                    println!("missed   {} {} {:?}", m.id, m.kind, m.text);
                }
                for m in &report.false_positives {
                    println!("extra    {} {} {:?}", m.id, m.kind, m.text);
                }
            }
            Ok(())
        }
    }
}

/// An output file name no earlier input of this run has taken: inputs from different
/// folders often share a name (`base-example.xml`), so a clash gets the folder's name in
/// front, and a number if that clashes too.
fn unique_name(
    input: &Path,
    used: &mut std::collections::HashSet<std::ffi::OsString>,
) -> Result<std::ffi::OsString> {
    let name = input
        .file_name()
        .context("input has no file name")?
        .to_os_string();
    let parent = input
        .parent()
        .and_then(|p| p.file_name())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = name.clone();
    let mut n = 1;
    while used.contains(&candidate) {
        candidate = if n == 1 && !parent.is_empty() {
            format!("{parent}__{}", name.to_string_lossy()).into()
        } else {
            format!("{n}__{}", name.to_string_lossy()).into()
        };
        n += 1;
    }
    used.insert(candidate.clone());
    Ok(candidate)
}

fn scrub_one_ubl(s: &Scrubber, input: &Path, out_dir: &Path, name: &std::ffi::OsStr) -> Result<()> {
    let bytes = std::fs::read(input).context("reading")?;
    let result = s.scrub_ubl(&bytes)?;
    let target = out_dir.join(name);
    std::fs::write(&target, &result.xml)
        .with_context(|| format!("writing {}", target.display()))?;
    let replacements: Vec<serde_json::Value> = result
        .replacements
        .iter()
        .map(|r| {
            let (action, types) = match &r.action {
                UblAction::Replaced(k) => ("replaced", vec![k.label()]),
                UblAction::Scanned(ks) => ("scanned", ks.iter().map(|k| k.label()).collect()),
                UblAction::AttachmentRemoved => ("attachment-removed", vec![]),
                _ => ("other", vec![]),
            };
            serde_json::json!({ "xpath": r.xpath, "action": action, "types": types })
        })
        .collect();
    let report = serde_json::json!({
        "input": input.display().to_string(),
        "root": result.root,
        "replacements": replacements,
    });
    let mut report_name = name.to_os_string();
    report_name.push(".report.json");
    let report_path = out_dir.join(report_name);
    std::fs::write(&report_path, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("writing {}", report_path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_named_inputs_get_distinct_outputs() {
        let mut used = std::collections::HashSet::new();
        let names: Vec<String> = [
            "a/x/base.xml",
            "a/y/base.xml",
            "b/y/base.xml",
            "c/other.xml",
        ]
        .iter()
        .map(|p| unique_name(Path::new(p), &mut used).map(|n| n.to_string_lossy().into_owned()))
        .collect::<Result<_>>()
        .expect("names");
        assert_eq!(
            names,
            ["base.xml", "y__base.xml", "2__base.xml", "other.xml"]
        );
    }
}
