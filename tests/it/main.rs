//! The integration tests, one binary (matklad's "one integration test" advice):
//! each file below was its own binary, each linking the whole crate graph.
//! Shared helpers are in common/; fixtures stay in tests/fixtures/.

mod actions;
mod ambiwidth;
mod cache;
mod check;
mod cli;
mod common;
mod config;
mod content;
mod copy;
mod e2e;
mod e2e_mouse;
mod export;
mod figures;
mod find_report;
mod finder;
mod focus;
mod fuzz_regressions;
mod hostile;
mod import;
mod import_numbers;
mod industry;
mod keymap;
mod library;
mod loader;
mod measure;
mod measures;
mod memory;
mod mentions;
mod mouse;
mod notes;
mod outbound;
mod pages;
mod random;
mod reader;
mod reading_keys;
mod readme_commands;
mod render;
mod search;
mod serve;
mod table_view;
mod tags;
mod term;
mod walk;
mod wrap;
