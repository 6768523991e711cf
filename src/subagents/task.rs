//! The `subagentStatusLine` payload: the base status-line fields plus `columns` and
//! `tasks`, decoded as tolerantly as the main payload (`input/lenient.rs`): every field is
//! optional, `null` is absent, numbers may come as strings, a task of the wrong shape is
//! skipped. Field names follow Claude Code's camelCase (`startTime`, `tokenCount`).
//!
//! `startTime` is not specified beyond "a time": a number is read as epoch milliseconds
//! when it is larger than 10^11 (year 5138 in seconds) and as epoch seconds otherwise; a
//! string holding a number is read the same way, any other string as ISO 8601
//! (`2026-12-07T19:00:00.123Z`, or with a `±HH:MM` offset).

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::input::lenient::{Count, Lenient, Seed, lenient_struct};
use crate::input::payload::{Model, Text};

lenient_struct! {
    /// What the `subagentStatusLine` command reads (the base fields are not needed).
    pub struct SubagentPayload<'a> {
        columns: f64,
        tasks: Tasks<'a>,
    }
}

lenient_struct! {
    /// One sub-agent task.
    pub struct Task<'a> {
        id: Text<'a>,
        name: Text<'a>,
        kind: Text<'a> = "type",
        status: Text<'a>,
        description: Text<'a>,
        label: Text<'a>,
        start_time: Stamp = "startTime",
        model: Model<'a>,
        effort: Text<'a>,
        context_window_size: f64 = "contextWindowSize",
        token_count: f64 = "tokenCount",
        token_samples: Count = "tokenSamples",
        cwd: Text<'a>,
    }
}

/// The tasks in payload order; entries that are not objects are left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tasks<'a>(pub Vec<Task<'a>>);

impl<'de> Lenient<'de> for Tasks<'de> {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        struct TasksVisitor;
        impl<'de> Visitor<'de> for TasksVisitor {
            type Value = Option<Tasks<'de>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of tasks")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut tasks = Vec::new();
                while let Some(task) = seq.next_element_seed(Seed::<Task<'de>>::default())? {
                    tasks.extend(task);
                }
                Ok(Some(Tasks(tasks)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        d.deserialize_any(TasksVisitor)
    }
}

/// A point in time, as seconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stamp(pub f64);

/// Epoch values above this are milliseconds (as seconds it would be the year 5138).
const MILLIS_ABOVE: f64 = 1e11;

impl Stamp {
    fn from_number(n: f64) -> Option<Stamp> {
        (n.is_finite() && n > 0.0).then(|| Stamp(if n > MILLIS_ABOVE { n / 1000.0 } else { n }))
    }

    /// A number (seconds or milliseconds) or an ISO 8601 date and time.
    pub fn parse(text: &str) -> Option<Stamp> {
        let text = text.trim();
        match text.parse::<f64>() {
            Ok(n) => Stamp::from_number(n),
            Err(_) => parse_iso8601(text).map(Stamp),
        }
    }
}

impl<'de> Lenient<'de> for Stamp {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        struct StampVisitor;
        impl<'de> Visitor<'de> for StampVisitor {
            type Value = Option<Stamp>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a time")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Stamp::from_number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Stamp::from_number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Stamp::from_number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Stamp::parse(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        }
        d.deserialize_any(StampVisitor)
    }
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]` as epoch seconds; no zone means UTC.
fn parse_iso8601(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| {
            digits
                .iter()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
        })
    };
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    if b[13] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut rest = &text[16..];
    let mut seconds = 0.0;
    if let Some(tail) = rest.strip_prefix(':') {
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        seconds = tail[..end].parse::<f64>().ok()?;
        rest = &tail[end..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = rest[1..].replace(':', "");
            if zone.len() != 4 || !zone.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m) = (
                zone[..2].parse::<i64>().ok()?,
                zone[2..].parse::<i64>().ok()?,
            );
            sign * (h * 3600 + m * 60)
        }
    };
    if hour > 23 || minute > 59 || !(0.0..61.0).contains(&seconds) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hour * 3600 + minute * 60 - offset) as f64 + seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Decodes a payload; `Err` with serde's message when it is not JSON at all.
pub fn decode(bytes: &[u8]) -> Result<SubagentPayload<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let payload = <SubagentPayload<'_> as Lenient<'_>>::decode(&mut de)?;
    de.end()?;
    Ok(payload.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_with_fractions_and_offsets_read_as_epoch_seconds() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_iso8601("2026-12-07T19:00:00Z"), Some(1_796_670_000.0));
        assert_eq!(
            parse_iso8601("2026-12-07T19:00:00.250Z"),
            Some(1_796_670_000.25)
        );
        assert_eq!(
            parse_iso8601("2026-12-07T21:00:00+02:00"),
            Some(1_796_670_000.0)
        );
        assert_eq!(parse_iso8601("2026-12-07 19:00"), Some(1_796_670_000.0));
        for bad in [
            "2026-13-07T19:00:00Z",
            "yesterday",
            "2026-12-07T19:00:00+2",
            "",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn start_times_in_milliseconds_seconds_and_strings_agree() {
        for json in [
            r#"{"tasks":[{"id":"a","startTime":1796670000000}]}"#,
            r#"{"tasks":[{"id":"a","startTime":1796670000}]}"#,
            r#"{"tasks":[{"id":"a","startTime":"1796670000000"}]}"#,
            r#"{"tasks":[{"id":"a","startTime":"2026-12-07T19:00:00.000Z"}]}"#,
        ] {
            let payload = decode(json.as_bytes()).unwrap();
            let task = &payload.tasks.unwrap().0[0];
            assert_eq!(task.start_time, Some(Stamp(1_796_670_000.0)), "{json}");
        }
    }

    #[test]
    fn tasks_of_the_wrong_shape_are_skipped_and_wrong_fields_are_absent() {
        let payload = decode(
            br#"{"columns":"80","tasks":[7,{"id":"x","tokenCount":"12","model":"claude-haiku-4-5","status":null},"s",{"id":3}]}"#,
        )
        .unwrap();
        assert_eq!(payload.columns, Some(80.0));
        let tasks = payload.tasks.unwrap().0;
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].id.as_deref(), Some("x"));
        assert_eq!(tasks[0].token_count, Some(12.0));
        assert_eq!(tasks[0].status, None);
        assert_eq!(tasks[1].id, None, "a numeric id is not an id");
    }

    #[test]
    fn tasks_that_are_not_an_array_are_absent() {
        assert_eq!(decode(br#"{"tasks":{"id":"a"}}"#).unwrap().tasks, None);
        assert!(decode(b"{\"tasks\":[").is_err());
    }
}
