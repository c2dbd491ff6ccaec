//! Mapping tables: rows only, read by the config (to validate settings) and by the
//! mapping (to fill TikTok's fields). Nothing here imports either of them.

pub mod event_names;
pub mod slots;
