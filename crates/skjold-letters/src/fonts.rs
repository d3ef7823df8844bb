//! The embedded fonts (DejaVu Sans, regular and bold; see `fonts/LICENSE`) and the metrics
//! the layout measures text with.
//!
//! krilla shapes and embeds the text but exposes no metrics, so widths are read here with
//! skrifa (the font reader krilla itself uses) from the same bytes: the advance of each
//! character's glyph. Kerning, which krilla's shaping applies, only ever moves DejaVu's
//! glyphs closer by a fraction of a point, so a measured line is never shorter than the
//! drawn one.

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::LetterError;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Shown for a character the font has no glyph for, so that a letter is never refused
/// for a name or a text written in another script; the font has this one.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// One face: what krilla embeds, and what the layout measures with.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Above and below the baseline, in ems.
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
}

impl Face {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Face, LetterError> {
        let font = Font::new(data.into(), 0).ok_or(LetterError::Font(name))?;
        let font_ref = FontRef::new(data).map_err(|_| LetterError::Font(name))?;
        let location = LocationRef::default();
        let metrics = font_ref.metrics(Size::unscaled(), location);
        let units_per_em = f32::from(metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(LetterError::Font(name));
        }
        Ok(Face {
            font,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), location),
            units_per_em,
            ascent: metrics.ascent / units_per_em,
            descent: -metrics.descent / units_per_em,
        })
    }

    /// Whether the face has a glyph for `ch`.
    pub(crate) fn has(&self, ch: char) -> bool {
        self.charmap.map(ch).is_some_and(|g| g.to_u32() != 0)
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|ch| {
                self.charmap
                    .map(ch)
                    .and_then(|g| self.metrics.advance_width(g))
                    .unwrap_or(0.0)
            })
            .sum();
        units / self.units_per_em * size
    }
}

/// The two faces a letter uses.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, LetterError> {
        Ok(Fonts {
            regular: Face::load("DejaVuSans.ttf", REGULAR)?,
            bold: Face::load("DejaVuSans-Bold.ttf", BOLD)?,
        })
    }

    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// A text as it can be drawn: tabs become spaces; what PDF/UA forbids in a text (NUL,
    /// byte-order marks, non-characters, private use) and other control characters go;
    /// a character neither face has becomes [`REPLACEMENT`]. Line breaks stay.
    pub(crate) fn clean(&self, text: &str) -> String {
        text.chars()
            .filter_map(|ch| match ch {
                '\n' => Some('\n'),
                '\r' => None,
                '\t' => Some(' '),
                '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' | '\u{AD}' => None,
                c if c.is_control() => None,
                c if is_private_use(c) => Some(REPLACEMENT),
                c if c.is_whitespace() => Some(' '),
                c if self.regular.has(c) && self.bold.has(c) => Some(c),
                _ => Some(REPLACEMENT),
            })
            .collect()
    }
}

fn is_private_use(c: char) -> bool {
    matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_cover_danish() {
        let fonts = Fonts::load().expect("the embedded fonts load");
        for ch in "æøåÆØÅéü–§€«»“”•".chars().chain([REPLACEMENT]) {
            assert!(fonts.regular.has(ch) && fonts.bold.has(ch), "{ch}");
        }
        assert!(fonts.regular.width("Søren", 10.0) > fonts.regular.width("Sø", 10.0));
        assert!(fonts.bold.width("Søren", 10.0) > fonts.regular.width("Søren", 10.0));
        assert!(fonts.regular.ascent > 0.5 && fonts.regular.descent > 0.1);
    }

    #[test]
    fn cleaning_keeps_the_text_and_drops_what_cannot_be_drawn() {
        let fonts = Fonts::load().expect("the embedded fonts load");
        assert_eq!(
            fonts.clean("Blåbærgrød\tmed\u{0}\u{FEFF} fløde\n"),
            "Blåbærgrød med fløde\n"
        );
        assert_eq!(fonts.clean("山田 \u{E000}"), "\u{FFFD}\u{FFFD} \u{FFFD}");
    }
}
