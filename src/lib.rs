//! blinkline: a status line renderer.
#![deny(unsafe_code)]

pub mod engine;
