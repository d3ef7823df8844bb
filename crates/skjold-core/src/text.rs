//! Free text from people, checked once at the edge: trimmed, bounded, and free of control
//! characters (a line allows none; a text allows line breaks and tabs). A [`Justification`]
//! is such a text of a minimum length: the written reason the law asks for before data
//! leaves the controller, parsed rather than validated so that the gate can only be handed
//! one that holds.

use crate::error::{Input, Problem};

/// Names, references, codes, user names: one line.
pub const MAX_LINE: usize = 200;
/// Reasons, justifications, notes, descriptions.
pub const MAX_TEXT: usize = 4000;
/// A message body.
pub const MAX_MESSAGE: usize = 20_000;
/// The shortest written reason for disclosing, stepping in or rejecting.
pub const MIN_JUSTIFICATION: usize = 10;
/// The shortest note (a follow-up, lifting a block, revoking a role).
pub const MIN_NOTE: usize = 5;

fn check(input: Input, s: &str, max: usize, lines: bool) -> Result<&str, Problem> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(Problem::TooLong { input, max });
    }
    let allowed = |c: char| lines && matches!(c, '\n' | '\r' | '\t');
    if t.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Problem::ControlCharacters(input));
    }
    Ok(t)
}

/// One line of at most [`MAX_LINE`] characters, trimmed; may be empty.
pub fn line(input: Input, s: &str) -> Result<&str, Problem> {
    check(input, s, MAX_LINE, false)
}

/// One line that must not be empty.
pub fn required_line(input: Input, s: &str) -> Result<&str, Problem> {
    match line(input, s)? {
        "" => Err(Problem::Required(input)),
        t => Ok(t),
    }
}

/// A text of at most `max` characters, trimmed; line breaks allowed; may be empty.
pub fn text(input: Input, s: &str, max: usize) -> Result<&str, Problem> {
    check(input, s, max, true)
}

/// A text of at most `max` characters that must not be empty.
pub fn required_text(input: Input, s: &str, max: usize) -> Result<&str, Problem> {
    match text(input, s, max)? {
        "" => Err(Problem::Required(input)),
        t => Ok(t),
    }
}

/// A text of at least `min` and at most [`MAX_TEXT`] characters.
pub fn at_least(input: Input, s: &str, min: usize) -> Result<&str, Problem> {
    let t = text(input, s, MAX_TEXT)?;
    if t.chars().count() < min {
        return Err(Problem::TooShort { input, min });
    }
    Ok(t)
}

/// A written reason of at least [`MIN_JUSTIFICATION`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Justification(String);

impl Justification {
    /// Parses a reason typed into `input`.
    pub fn parse(input: Input, s: &str) -> Result<Justification, Problem> {
        at_least(input, s, MIN_JUSTIFICATION).map(|t| Justification(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Justification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_and_texts() {
        assert_eq!(line(Input::Name, "  Anna  "), Ok("Anna"));
        assert_eq!(
            required_line(Input::Name, "   "),
            Err(Problem::Required(Input::Name))
        );
        assert_eq!(
            line(Input::Name, "Anna\nBerg"),
            Err(Problem::ControlCharacters(Input::Name))
        );
        assert_eq!(
            text(Input::Note, "to\nlinjer\tog tab", MAX_TEXT),
            Ok("to\nlinjer\tog tab")
        );
        assert_eq!(
            text(Input::Note, "bip\u{7}", MAX_TEXT),
            Err(Problem::ControlCharacters(Input::Note))
        );
        assert_eq!(
            line(Input::Name, &"æ".repeat(MAX_LINE + 1)),
            Err(Problem::TooLong {
                input: Input::Name,
                max: MAX_LINE
            })
        );
        assert!(line(Input::Name, &"æ".repeat(MAX_LINE)).is_ok());
    }

    #[test]
    fn justifications_have_a_minimum() {
        assert_eq!(
            Justification::parse(Input::Justification, "  kort  "),
            Err(Problem::TooShort {
                input: Input::Justification,
                min: MIN_JUSTIFICATION
            })
        );
        let j = Justification::parse(Input::Justification, " Mentoren skal vide det ")
            .expect("long enough");
        assert_eq!(j.as_str(), "Mentoren skal vide det");
    }

    proptest! {
        /// Whatever is accepted is trimmed, within bounds and free of control characters
        /// other than line breaks and tabs; whatever is refused says why.
        #[test]
        fn texts_are_bounded_and_clean(s in "\\PC{0,50}[\\x00-\\x1f]?\\PC{0,50}", max in 1usize..80) {
            match text(Input::Note, &s, max) {
                Ok(t) => {
                    prop_assert_eq!(t, t.trim());
                    prop_assert!(t.chars().count() <= max);
                    prop_assert!(t.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')));
                }
                Err(Problem::TooLong { max: m, .. }) => {
                    prop_assert_eq!(m, max);
                    prop_assert!(s.trim().chars().count() > max);
                }
                Err(Problem::ControlCharacters(_)) => {
                    prop_assert!(s.trim().chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
