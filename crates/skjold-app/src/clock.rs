//! The one place that reads the system clock (DESIGN.md wall 6).

use std::sync::atomic::{AtomicI64, Ordering};

use skjold_core::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp::from_micros(micros)
    }
}

/// A clock tests set by hand.
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn new(at: Timestamp) -> FixedClock {
        FixedClock(AtomicI64::new(at.micros()))
    }

    pub fn set(&self, at: Timestamp) {
        self.0.store(at.micros(), Ordering::SeqCst);
    }

    pub fn advance_seconds(&self, s: i64) {
        self.0
            .fetch_add(s * Timestamp::MICROS_PER_SECOND, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_micros(self.0.load(Ordering::SeqCst))
    }
}
