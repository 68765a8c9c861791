//! Reading options that main.rs fills from flags (and, later, a config
//! file): one struct, so every source of settings fills the same fields.

pub use crate::config::AmbiWidth;

/// The default measure of text lines in the reader, in columns.
pub const DEFAULT_WIDTH: u16 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Text lines in the reader are at most this wide, centred when the pane
    /// is wider (glow's `-w`); tables may use the whole pane. 0: no cap.
    pub width: u16,
    pub ambiwidth: AmbiWidth,
}

impl Default for Options {
    fn default() -> Options {
        Options { width: DEFAULT_WIDTH, ambiwidth: AmbiWidth::Narrow }
    }
}
