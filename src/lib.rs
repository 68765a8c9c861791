//! yanbao 研报: a terminal reader for Chinese research reports.
//!
//! Layers, one direction: `content` (model, load, validate) → `doc` (layout
//! of a page as styled lines) → `app` (state and `update`) → `ui` (pure
//! render) → `runtime` (terminal, event loop, effects). `fmt` (numbers and
//! node locations) sits beside `content`, so `doc` and `search` share it
//! without importing each other.

// The discipline, enforced: no unsafe block without an `#[allow]` beside its
// SAFETY comment, and no unwrap or panic outside tests (bad input is an error
// naming the file and line; a state that cannot happen is handled anyway).
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

pub mod action;
pub mod app;
pub mod cache;
pub mod clipboard;
pub mod config;
pub mod content;
pub mod doc;
pub mod export;
pub mod figures;
pub mod fmt;
pub mod import;
pub mod keymap;
pub mod layout;
pub mod located;
pub mod notes;
pub mod options;
pub mod paths;
pub mod runtime;
pub mod search;
pub mod serve;
pub mod state;
pub mod term;
pub mod text;
pub mod theme;
pub mod ui;
