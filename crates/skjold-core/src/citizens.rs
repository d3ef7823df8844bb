//! A citizen's data as the gate hands it out (opened, and logged), and as it comes in.

use serde::Serialize;
use uuid::Uuid;

use crate::orders::OrderSummary;
use crate::taxonomy::{FieldKey, Sensitivity};
use crate::time::Timestamp;

/// One piece of a citizen's data, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Datum {
    pub id: Uuid,
    pub field: FieldKey,
    pub value: String,
    pub source: String,
    pub collected_at: Timestamp,
    pub restricted: bool,
    /// Found incorrect in a rights case: the note that rectifies it, shown wherever the
    /// item is shown (nothing is overwritten).
    pub rectification: Option<String>,
}

impl Datum {
    pub fn sensitivity(&self) -> Sensitivity {
        self.field.sensitivity()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    pub id: Uuid,
    pub data: Vec<Datum>,
    /// Every order for the citizen; those of other units open only by a stand-in access.
    pub orders: Vec<OrderSummary>,
}

impl SubjectView {
    pub fn value(&self, field: FieldKey) -> Option<&str> {
        self.data
            .iter()
            .find(|d| d.field == field)
            .map(|d| d.value.as_str())
    }
}

/// A value to record about a citizen.
#[derive(Debug, Clone)]
pub struct NewDatum {
    pub field: FieldKey,
    pub value: String,
    pub source: String,
}
