//! The Claude Code `statusLine` payload, decoded tolerantly into borrowed structs.
//!
//! Every field is optional: fields appear only in some sessions and versions, `null` means
//! absent, numbers may arrive as strings, and `model` may be a plain string (older
//! versions). See `lenient.rs` for the rules. Field names follow the payload exactly; the
//! contract is described in the README's "Claude Code payload" section.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::input::lenient::{Count, Key, Lenient, Seed, lenient_struct};

/// A string from the payload; untrusted, sanitized before output.
pub type Text<'a> = Cow<'a, str>;

lenient_struct! {
    /// The whole payload.
    pub struct Session<'a> {
        cwd: Text<'a>,
        session_id: Text<'a>,
        session_name: Text<'a>,
        prompt_id: Text<'a>,
        transcript_path: Text<'a>,
        hook_event_name: Text<'a>,
        model: Model<'a>,
        workspace: Workspace<'a>,
        version: Text<'a>,
        output_style: OutputStyle<'a>,
        cost: Cost<'a>,
        context_window: ContextWindow<'a>,
        exceeds_200k_tokens: bool,
        fast_mode: bool,
        effort: Effort<'a>,
        thinking: Thinking<'a>,
        rate_limits: RateLimits<'a>,
        vim: Vim<'a>,
        agent: Agent<'a>,
        pr: PullRequest<'a>,
        worktree: Worktree<'a>,
    }
}

lenient_struct! {
    pub struct Workspace<'a> {
        current_dir: Text<'a>,
        project_dir: Text<'a>,
        added_dirs: Count,
        git_worktree: Text<'a>,
        repo: Repo<'a>,
    }
}

lenient_struct! {
    pub struct Repo<'a> {
        host: Text<'a>,
        owner: Text<'a>,
        name: Text<'a>,
    }
}

lenient_struct! {
    pub struct OutputStyle<'a> {
        name: Text<'a>,
    }
}

lenient_struct! {
    pub struct Cost<'a> {
        total_cost_usd: f64,
        total_duration_ms: f64,
        total_api_duration_ms: f64,
        total_lines_added: f64,
        total_lines_removed: f64,
    }
}

lenient_struct! {
    pub struct ContextWindow<'a> {
        total_input_tokens: f64,
        total_output_tokens: f64,
        context_window_size: f64,
        used_percentage: f64,
        remaining_percentage: f64,
        current_usage: Usage<'a>,
    }
}

lenient_struct! {
    pub struct Usage<'a> {
        input_tokens: f64,
        output_tokens: f64,
        cache_creation_input_tokens: f64,
        cache_read_input_tokens: f64,
    }
}

lenient_struct! {
    pub struct Effort<'a> {
        level: Text<'a>,
    }
}

lenient_struct! {
    pub struct Thinking<'a> {
        enabled: bool,
    }
}

lenient_struct! {
    pub struct RateLimits<'a> {
        five_hour: RateWindow<'a>,
        seven_day: RateWindow<'a>,
    }
}

lenient_struct! {
    pub struct RateWindow<'a> {
        used_percentage: f64,
        resets_at: f64,
    }
}

lenient_struct! {
    pub struct Vim<'a> {
        mode: Text<'a>,
    }
}

lenient_struct! {
    pub struct Agent<'a> {
        name: Text<'a>,
    }
}

lenient_struct! {
    pub struct PullRequest<'a> {
        number: f64,
        url: Text<'a>,
        review_state: Text<'a>,
        kind: Text<'a>,
    }
}

lenient_struct! {
    pub struct Worktree<'a> {
        name: Text<'a>,
        path: Text<'a>,
        branch: Text<'a>,
        original_cwd: Text<'a>,
        original_branch: Text<'a>,
    }
}

/// `model`: an object `{id, display_name}` or, in older versions, a plain string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model<'a> {
    pub id: Option<Text<'a>>,
    pub display_name: Option<Text<'a>>,
}

impl<'de> Lenient<'de> for Model<'de> {
    fn decode<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        struct ModelVisitor;
        impl<'de> Visitor<'de> for ModelVisitor {
            type Value = Option<Model<'de>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a model object or name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Some(Model {
                    id: Some(Cow::Borrowed(v)),
                    display_name: Some(Cow::Borrowed(v)),
                }))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(Model {
                    id: Some(Cow::Owned(v.to_owned())),
                    display_name: Some(Cow::Owned(v.to_owned())),
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut model = Model::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match &*key.0 {
                        "id" => model.id = map.next_value_seed(Seed::<Text<'de>>::default())?,
                        "display_name" => {
                            model.display_name = map.next_value_seed(Seed::<Text<'de>>::default())?
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Some(model))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
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
        d.deserialize_any(ModelVisitor)
    }
}

impl<'a> Session<'a> {
    /// The directory the session works in: `workspace.current_dir`, else `cwd`.
    pub fn current_dir(&self) -> Option<&str> {
        self.workspace
            .as_ref()
            .and_then(|w| w.current_dir.as_deref())
            .or(self.cwd.as_deref())
    }
}
