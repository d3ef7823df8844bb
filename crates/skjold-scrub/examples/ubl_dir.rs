//! Scrubs every XML file under a directory and prints one line per file.
//!
//! `cargo run -p skjold-scrub --example ubl_dir -- DIR [--show FILE-SUBSTRING]`

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: ubl_dir DIR")?;
    let show = if args.next().as_deref() == Some("--show") {
        args.next()
    } else {
        None
    };
    let s = skjold_scrub::Scrubber::new(skjold_scrub::Config::default())?;
    let mut files = Vec::new();
    walk(std::path::Path::new(&dir), &mut files)?;
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f)?;
        match s.scrub_ubl(&bytes) {
            Ok(out) => {
                println!(
                    "ok   {} {} replacements={}",
                    f.display(),
                    out.root,
                    out.replacements.len()
                );
                if show
                    .as_deref()
                    .is_some_and(|x| f.to_string_lossy().contains(x))
                {
                    for r in &out.replacements {
                        println!("     {:?} {}", r.action, r.xpath);
                    }
                    println!("{}", String::from_utf8_lossy(&out.xml));
                }
            }
            Err(e) => println!("FAIL {} {e}", f.display()),
        }
    }
    Ok(())
}
