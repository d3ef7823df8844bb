//! Times the parts of the text engine on one large text made of a corpus's texts
//! (developer tool): `cargo run --release -p skjold-scrub --example profile_parts --
//! CORPUS.jsonl`.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: profile_parts CORPUS.jsonl")?;
    let corpus = std::fs::read_to_string(path)?;
    let texts: Vec<String> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let big = texts.join("\n");
    let mb = big.len() as f64 / 1e6;
    let re = regex_automata::meta::Regex::new_many(&[
        r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.\p{L}{2,}",
        r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?",
        r"\+?[0-9]+(?:[ .,/\-][0-9]+)*",
        r"\p{Lu}[\p{L}\p{M}'’\-]*",
    ])?;
    let t = Instant::now();
    let n = re.find_iter(&big).count();
    println!("tokens: {n} in {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    let (mut caps, mut nums, mut runs) = (Vec::new(), Vec::new(), Vec::new());
    for m in re.find_iter(&big) {
        match m.pattern().as_usize() {
            2 => {
                nums.push(m.start());
                runs.push((m.start(), m.end()));
            }
            3 => caps.push((m.start(), m.end())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    skjold_scrub::detect::names::scan("Mette Hansen", &[(0, 5), (6, 12)], &mut out);
    let t = Instant::now();
    skjold_scrub::detect::names::scan(&big, &caps, &mut out);
    println!("names: {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    let t = Instant::now();
    skjold_scrub::detect::address::scan(&big, nums.iter().copied(), &mut out);
    println!("address: {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    let today = skjold_scrub::Date::today_utc();
    let t = Instant::now();
    for (a, b) in &runs {
        skjold_scrub::detect::numbers::scan_run(&big, *a, *b, today, &mut out);
    }
    println!("numbers: {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    let sens = skjold_scrub::detect::sensitive::Sensitive::new()?;
    let t = Instant::now();
    sens.scan(&big, &mut out);
    println!("sensitive: {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    let s = skjold_scrub::Scrubber::new(skjold_scrub::Config::default())?;
    let t = Instant::now();
    let n = s.find(&big).len();
    println!("find: {n} in {:.1} MB/s", mb / t.elapsed().as_secs_f64());
    Ok(())
}
