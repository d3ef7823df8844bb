//! Word wrapping: a paragraph of regular and bold spans broken into lines that fit a width,
//! measured with the font. Runs of white space become one space, so that a screen reader
//! and a copy of the text see real spaces between the words; a line break in the text is
//! kept; a word too long for a line is broken between its characters.

use crate::fonts::Fonts;

/// A piece of a paragraph in one weight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub(crate) text: String,
    pub(crate) bold: bool,
}

/// A paragraph: spans set one after another.
pub(crate) type Para = Vec<Span>;

/// Regular text.
pub(crate) fn text(s: impl Into<String>) -> Span {
    Span {
        text: s.into(),
        bold: false,
    }
}

/// Bold text.
pub(crate) fn strong(s: impl Into<String>) -> Span {
    Span {
        text: s.into(),
        bold: true,
    }
}

/// A paragraph of one regular span.
pub(crate) fn para(s: impl Into<String>) -> Para {
    vec![text(s)]
}

/// A paragraph that starts with a bold label: "Label: value".
pub(crate) fn labelled(label: &str, value: impl Into<String>) -> Para {
    vec![strong(format!("{label}: ")), text(value)]
}

/// A run of one weight on a line, `x` from the line's start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub(crate) x: f32,
    pub(crate) bold: bool,
    pub(crate) text: String,
}

/// A line: its runs, and whether it ends in a hyphen of a word broken by the layout (the
/// hyphen is not part of the text).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Line {
    pub(crate) pieces: Vec<Piece>,
    pub(crate) hyphenated: bool,
}

impl Line {
    /// The text of the line as written, without a hyphen the layout added.
    pub(crate) fn text(&self) -> String {
        let mut s: String = self.pieces.iter().map(|p| p.text.as_str()).collect();
        if self.hyphenated {
            s.pop();
        }
        s
    }
}

/// A word: the pieces it is written in (a word may change weight inside).
struct Word {
    pieces: Vec<(bool, String)>,
    /// A line break in the text stands before it.
    break_before: bool,
    /// A space stands before it; none after a hyphen inside a compound ("Højbjerg-Åkjær").
    space_before: bool,
}

fn words(fonts: &Fonts, para: &[Span]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut break_next = false;
    let mut space_next = false;
    for span in para {
        for ch in fonts.clean(&span.text).chars() {
            if ch == '\n' || ch.is_whitespace() {
                out.extend(current.take());
                break_next |= ch == '\n';
                space_next = true;
                continue;
            }
            let word = current.get_or_insert_with(|| Word {
                pieces: Vec::new(),
                break_before: std::mem::take(&mut break_next),
                space_before: std::mem::take(&mut space_next),
            });
            let starts = word.pieces.is_empty();
            match word.pieces.last_mut() {
                Some((bold, s)) if *bold == span.bold => s.push(ch),
                _ => word.pieces.push((span.bold, ch.to_string())),
            }
            // A line may break after a hyphen inside a word.
            if ch == '-' && !starts {
                out.extend(current.take());
            }
        }
    }
    out.extend(current);
    out
}

struct LineBuilder<'f> {
    fonts: &'f Fonts,
    size: f32,
    line: Line,
    width: f32,
}

impl LineBuilder<'_> {
    fn is_empty(&self) -> bool {
        self.line.pieces.is_empty()
    }

    fn last_bold(&self) -> bool {
        self.line.pieces.last().is_some_and(|p| p.bold)
    }

    fn push(&mut self, bold: bool, s: &str) {
        let w = self.fonts.face(bold).width(s, self.size);
        match self.line.pieces.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(s),
            _ => self.line.pieces.push(Piece {
                x: self.width,
                bold,
                text: s.to_owned(),
            }),
        }
        self.width += w;
    }

    /// The width a space in the weight of the line's end takes.
    fn space(&self) -> f32 {
        if self.is_empty() {
            0.0
        } else {
            self.fonts.face(self.last_bold()).width(" ", self.size)
        }
    }

    fn take(&mut self) -> Line {
        self.width = 0.0;
        std::mem::take(&mut self.line)
    }
}

/// Breaks `para` into lines no wider than `width` at `size` points. An empty paragraph
/// gives no lines.
pub(crate) fn wrap(fonts: &Fonts, para: &[Span], size: f32, width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut b = LineBuilder {
        fonts,
        size,
        line: Line::default(),
        width: 0.0,
    };
    for word in words(fonts, para) {
        let word_width: f32 = word
            .pieces
            .iter()
            .map(|(bold, s)| fonts.face(*bold).width(s, size))
            .sum();
        let gap = if word.space_before { b.space() } else { 0.0 };
        if !b.is_empty() && (word.break_before || b.width + gap + word_width > width) {
            // The space the line breaks at stays at its end: a reader copying the text or
            // reading it aloud sees two words, not one.
            if word.space_before {
                b.push(b.last_bold(), " ");
            }
            lines.push(b.take());
        }
        if !b.is_empty() && word.space_before {
            b.push(b.last_bold(), " ");
        }
        if word_width <= width {
            for (bold, s) in &word.pieces {
                b.push(*bold, s);
            }
            continue;
        }
        // Too long for any line: broken between characters, with a hyphen.
        for (bold, s) in &word.pieces {
            let face = fonts.face(*bold);
            let hyphen = face.width("-", size);
            let mut chars = s.chars().peekable();
            while let Some(ch) = chars.next() {
                let mut buf = [0u8; 4];
                let c = ch.encode_utf8(&mut buf);
                b.push(*bold, c);
                let next = chars
                    .peek()
                    .map_or(0.0, |n| face.width(&n.to_string(), size));
                if chars.peek().is_some() && b.width + next + hyphen > width {
                    b.push(*bold, "-");
                    b.line.hyphenated = true;
                    lines.push(b.take());
                }
            }
        }
    }
    if !b.is_empty() {
        lines.push(b.take());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(lines: &[Line]) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn lines_fit_and_keep_every_word() {
        let fonts = Fonts::load().expect("fonts");
        let text = "Københavns Kommune behandler dine oplysninger for at kunne hjælpe dig \
                    med at finde et job, der passer til dine ønsker og forudsætninger.";
        let lines = wrap(&fonts, &para(text), 10.0, 150.0);
        assert!(lines.len() > 2);
        for line in &lines {
            let w: f32 = line
                .pieces
                .iter()
                .map(|p| fonts.face(p.bold).width(p.text.trim_end(), 10.0))
                .sum();
            assert!(w <= 150.0, "{w}");
        }
        assert!(
            lines[..lines.len() - 1]
                .iter()
                .all(|l| l.text().ends_with(' '))
        );
        assert_eq!(
            joined(&lines).concat(),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn weights_line_breaks_and_long_words() {
        let fonts = Fonts::load().expect("fonts");
        let lines = wrap(&fonts, &labelled("Sag", "RET-1\nNæste linje"), 10.0, 400.0);
        assert_eq!(joined(&lines), vec!["Sag: RET-1 ", "Næste linje"]);
        assert!(lines[0].pieces[0].bold && !lines[0].pieces[1].bold);
        assert!(lines[0].pieces[1].x > 0.0);
        let long = "x".repeat(200);
        let lines = wrap(&fonts, &para(&long), 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines[..lines.len() - 1].iter().all(|l| l.hyphenated));
        assert!(lines[0].pieces[0].text.ends_with("x-"));
        assert_eq!(joined(&lines).concat(), long);
        // A compound breaks after its hyphen, without a space.
        let lines = wrap(&fonts, &para("Søren Højbjerg-Åkjær"), 10.0, 95.0);
        assert_eq!(joined(&lines), vec!["Søren Højbjerg-", "Åkjær"]);
        let lines = wrap(&fonts, &para("Højbjerg-Åkjær"), 10.0, 400.0);
        assert_eq!(joined(&lines), vec!["Højbjerg-Åkjær"]);
        assert!(wrap(&fonts, &para("  "), 10.0, 100.0).is_empty());
    }
}
