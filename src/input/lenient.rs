//! Tolerant JSON decoding: a field of the wrong type is treated as absent, never as an error.
//!
//! Claude Code's payload grows over time, some fields are `null` early in a session, older
//! versions sent numbers as strings and the model as a plain string. A strict decoder would
//! blank the status line for any of these; here every leaf decodes through [`Lenient`],
//! which yields `None` for a value it cannot use and consumes it without error. Structs are
//! declared with [`lenient_struct!`]: unknown keys are skipped, a duplicate key keeps the
//! last value, and a non-object value leaves the whole struct absent.
//!
//! Strings borrow from the input (`Cow::Borrowed`) unless they contain escapes, so a
//! payload without escapes decodes without allocating.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value that decodes from any JSON value, yielding `None` when the shape is unusable.
pub trait Lenient<'de>: Sized {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

/// Seed adapter so a `Lenient` type can be used with `MapAccess::next_value_seed`.
pub struct Seed<T>(core::marker::PhantomData<T>);

impl<T> Default for Seed<T> {
    fn default() -> Self {
        Seed(core::marker::PhantomData)
    }
}

impl<'de, T: Lenient<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::decode(d)
    }
}

/// Generates `visit_*` methods that consume a value of an unusable type and yield `None`.
macro_rules! ignore_other_shapes {
    ($($method:ident($ty:ty)),*) => {
        $(fn $method<E: de::Error>(self, _: $ty) -> Result<Self::Value, E> { Ok(None) })*
    };
}

macro_rules! ignore_containers {
    () => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

macro_rules! ignore_unit {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v.is_finite().then_some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
    }
    ignore_other_shapes!(visit_bool(bool));
    ignore_unit!();
    ignore_containers!();
}

impl<'de> Lenient<'de> for f64 {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match v.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    ignore_other_shapes!(visit_i64(i64), visit_f64(f64));
    ignore_unit!();
    ignore_containers!();
}

impl<'de> Lenient<'de> for bool {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    ignore_other_shapes!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64)
    );
    ignore_unit!();
    ignore_containers!();
}

impl<'de> Lenient<'de> for Cow<'de, str> {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// The length of a JSON array (its items are skipped); used where only a count is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count(pub u32);

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Option<Count>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut n = 0u32;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n = n.saturating_add(1);
        }
        Ok(Some(Count(n)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    ignore_other_shapes!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str)
    );
    ignore_unit!();
}

impl<'de> Lenient<'de> for Count {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

/// A map key, borrowed unless escaped.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Declares a struct whose fields are all `Option<T: Lenient>` and implements `Lenient` for
/// it: keys matched by name (or by an alias), unknown keys skipped, duplicates last-wins.
/// The optional `unknown` hook counts keys that were not recognised (schema drift).
macro_rules! lenient_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<$lt:lifetime> {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty $(= $alias:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name<$lt> {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )*
            /// Keys present in the input that this version does not know.
            pub unknown_keys: u32,
            #[doc(hidden)]
            pub _lifetime: core::marker::PhantomData<&$lt ()>,
        }

        impl<$lt> $name<$lt> {
            /// The JSON keys this struct reads (for the schema-drift report; not every
            /// struct is in it).
            #[allow(dead_code)]
            pub const KEYS: &'static [&'static str] = &[$( lenient_struct!(@key $field $(, $alias)?) ),*];
        }

        impl<$lt> $crate::input::lenient::Lenient<$lt> for $name<$lt> {
            fn decode<D: serde::de::Deserializer<$lt>>(d: D) -> Result<Option<Self>, D::Error> {
                struct StructVisitor<$lt>(core::marker::PhantomData<&$lt ()>);
                impl<$lt> serde::de::Visitor<$lt> for StructVisitor<$lt> {
                    type Value = Option<$name<$lt>>;
                    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: serde::de::MapAccess<$lt>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::input::lenient::Key<$lt>>()? {
                            match &*key.0 {
                                $( lenient_struct!(@key $field $(, $alias)?) => {
                                    out.$field = map.next_value_seed($crate::input::lenient::Seed::<$ty>::default())?;
                                } )*
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                    out.unknown_keys = out.unknown_keys.saturating_add(1);
                                }
                            }
                        }
                        Ok(Some(out))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<$lt>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                        Ok(None)
                    }
                    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
                    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
                }
                d.deserialize_any(StructVisitor(core::marker::PhantomData))
            }
        }
    };
    (@key $field:ident, $alias:literal) => { $alias };
    (@key $field:ident) => { stringify!($field) };
}

pub(crate) use lenient_struct;
