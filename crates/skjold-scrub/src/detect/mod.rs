//! The detectors. Each reads the text (and the token positions the tokenizer found) and
//! pushes [`crate::Finding`]s; [`crate::Scrubber::find`] merges them.

pub mod address;
pub mod context;
pub mod names;
pub mod numbers;
pub mod sensitive;
