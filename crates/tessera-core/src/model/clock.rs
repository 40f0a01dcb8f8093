//! Time as the core sees it: whole seconds since the Unix epoch, read through a [`Clock`]
//! so tests can move time forward without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<AtomicI64>);

impl FixedClock {
    /// A clock showing `now`.
    pub fn at(now: Timestamp) -> Self {
        FixedClock(Arc::new(AtomicI64::new(now)))
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats a timestamp as RFC 3339 in UTC (`2026-01-31T12:00:00Z`).
pub fn rfc3339(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// Parses RFC 3339 back into a timestamp.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp())
}

/// A unit a span of time is told in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, strum::IntoStaticStr, strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SpanUnit {
    /// 365 days.
    Year,
    /// 30 days.
    Month,
    /// 24 hours.
    Day,
    /// 60 minutes.
    Hour,
    /// 60 seconds.
    Minute,
}

/// The units a span is told in, largest first, with their length in seconds. The one
/// rule for every "in 29 days" and "3 hours ago" Tessera shows: the CLI words a
/// [`span`], and the window reads this table from its generated bindings.
pub const SPAN_UNITS: &[(SpanUnit, i64)] = &[
    (SpanUnit::Year, 365 * DAY),
    (SpanUnit::Month, 30 * DAY),
    (SpanUnit::Day, DAY),
    (SpanUnit::Hour, 3_600),
    (SpanUnit::Minute, 60),
];

/// A span of time as a person reads it: a count of the largest unit it holds at least
/// once, rounded down ("29 days", "1 year").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Whole units, at least 1.
    pub count: i64,
    /// The unit.
    pub unit: SpanUnit,
}

/// The span of `seconds` (either sign), or `None` under a minute.
pub fn span(seconds: i64) -> Option<Span> {
    let seconds = seconds.saturating_abs();
    SPAN_UNITS
        .iter()
        .find(|(_, size)| seconds >= *size)
        .map(|&(unit, size)| Span {
            count: seconds / size,
            unit,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_told_in_its_largest_whole_unit() {
        let told = |seconds| span(seconds).map(|s| (s.count, s.unit));
        assert_eq!(told(59), None);
        assert_eq!(told(-60), Some((1, SpanUnit::Minute)));
        assert_eq!(told(3 * 3_600 + 59), Some((3, SpanUnit::Hour)));
        assert_eq!(told(29 * DAY + 100), Some((29, SpanUnit::Day)));
        assert_eq!(told(45 * DAY), Some((1, SpanUnit::Month)));
        assert_eq!(told(400 * DAY), Some((1, SpanUnit::Year)));
        assert_eq!(told(i64::MIN).map(|(_, unit)| unit), Some(SpanUnit::Year));
    }

    #[test]
    fn rfc3339_round_trips() {
        let at = 1_767_225_600;
        assert_eq!(parse_rfc3339(&rfc3339(at)), Some(at));
    }
}
