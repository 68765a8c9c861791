//! The config file, `$XDG_CONFIG_HOME/yanbao/config.yaml` (or `--config
//! FILE`): the persistent options. `main` fills one [`Options`] from the
//! defaults, then the file, then the command line, which has the last word.
//!
//! A bad file is an error naming the file, the line and the problem, as a bad
//! keymap is: an unknown key, a value of the wrong kind, a number out of range.

use crate::keymap::KeymapError;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// An error in a config file, with its place (the same shape as a keymap's).
pub type ConfigError = KeymapError;

/// When to use colour; `auto` honours NO_COLOR, and uses truecolor only when
/// COLORTERM says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// How the terminal draws East-Asian Ambiguous characters (“ ” … — · and box
/// drawing): one column (`narrow`, the default) or two (`wide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AmbiWidth {
    #[default]
    Narrow,
    Wide,
}

/// The narrowest and widest text measure (`width`); 0 also, for no cap.
pub const WIDTH_RANGE: (u16, u16) = (20, 1000);
/// The narrowest and widest tree pane (`tree_width`, `+` and `-`).
pub const TREE_WIDTH_RANGE: (u16, u16) = (16, 80);

/// Every persistent option, filled from the config file then the flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub color: ColorWhen,
    pub ascii: bool,
    pub ambiwidth: AmbiWidth,
    /// The text measure in columns (`--width`); `None`: the default.
    pub width: Option<u16>,
    /// Capture the mouse (`--mouse`); off by default.
    pub mouse: bool,
    /// Copies are appended to this file instead of going to the clipboard.
    pub copy_to: Option<PathBuf>,
    /// Whether the tree pane is shown at start (`z` toggles it).
    pub tree: bool,
    /// The tree pane's width in columns; `None`: 30% of the screen, 24 to 40.
    pub tree_width: Option<u16>,
    /// The library folder `yanbao import` writes to and the explorer also
    /// reads; `None`: [`default_library`].
    pub library: Option<PathBuf>,
    /// The house style of citations (`y`, `Y`, export, notes).
    pub citation: crate::export::CitationStyle,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            color: ColorWhen::Auto,
            ascii: false,
            ambiwidth: AmbiWidth::Narrow,
            width: None,
            mouse: false,
            copy_to: None,
            tree: true,
            tree_width: None,
            library: None,
            citation: crate::export::CitationStyle::Yanbao,
        }
    }
}

/// The keys a config file may hold, in the order the README lists them.
/// The largest config file read (a real one is a few hundred bytes).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

pub const KEYS: [&str; 10] =
    ["color", "ascii", "ambiwidth", "width", "mouse", "copy_to", "tree", "tree_width", "library", "citation"];

/// `$XDG_DATA_HOME/yanbao/library/` (default `~/.local/share/…`): where
/// imported reports go.
pub fn default_library() -> Option<PathBuf> {
    Some(crate::paths::dir(crate::paths::Base::Data)?.join("library"))
}

impl Options {
    /// The library folder: the config's `library`, else the default.
    pub fn library_dir(&self) -> Option<PathBuf> {
        self.library.clone().or_else(default_library)
    }
}

/// `$XDG_CONFIG_HOME/yanbao/config.yaml` (default `~/.config/…`), whether
/// or not it exists.
pub fn default_path() -> Option<PathBuf> {
    Some(crate::paths::dir(crate::paths::Base::Config)?.join("config.yaml"))
}

/// A value as the error message quotes it.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "nothing".into(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// `~/x` as `$HOME/x`; other paths as written.
fn expand_home(s: &str) -> PathBuf {
    match (s.strip_prefix("~/"), crate::paths::home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(s),
    }
}

impl Options {
    /// Lay a config file's text over these options. `name` is the file as
    /// errors name it. Every problem is reported, not just the first.
    pub fn apply_file(&mut self, name: &str, text: &str) -> Result<(), Vec<ConfigError>> {
        if let Some((line, column)) = crate::content::flow_too_deep(text) {
            return Err(vec![KeymapError::at(name, Some(line), Some(column), crate::content::flow_too_deep_message())]);
        }
        let locator = crate::content::LazyLocator::new(text);
        let error = |path: &str, message: String| {
            let at = locator.find(path);
            KeymapError::at(name, at.map(|a| a.0), at.map(|a| a.1), message)
        };
        let root: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                if let Some((key, at)) = crate::content::duplicate_key(text) {
                    return Err(vec![KeymapError::at(name, Some(at.0), Some(at.1), format!("{key} is set twice"))]);
                }
                return Err(vec![KeymapError::malformed(name, &e)]);
            }
        };
        let map = match root {
            Value::Null => return Ok(()),
            Value::Mapping(m) => m,
            _ => return Err(vec![error("", format!("a config is a mapping of options ({})", KEYS.join(", ")))]),
        };
        let mut errors = Vec::new();
        let mut next = self.clone();
        for (k, v) in map {
            let key = match &k {
                Value::String(s) => s.clone(),
                other => shown(other),
            };
            let choice = |options: &[&str]| -> Result<usize, String> {
                match &v {
                    Value::String(s) if options.contains(&s.as_str()) => {
                        Ok(options.iter().position(|o| o == s).unwrap_or(0))
                    }
                    _ => {
                        let (last, first) = options.split_last().unwrap_or((&"", &[]));
                        Err(format!("{key} must be {} or {last}, not {}", first.join(", "), shown(&v)))
                    }
                }
            };
            let flag = || match v {
                Value::Bool(b) => Ok(b),
                _ => Err(format!("{key} must be true or false, not {}", shown(&v))),
            };
            let number = |(lo, hi): (u16, u16)| match v.as_u64() {
                Some(n) if (u64::from(lo)..=u64::from(hi)).contains(&n) => Ok(n as u16),
                _ => Err(format!("{key} must be a whole number from {lo} to {hi}, not {}", shown(&v))),
            };
            let result = match key.as_str() {
                "color" => choice(&["auto", "always", "never"]).map(|i| {
                    next.color = [ColorWhen::Auto, ColorWhen::Always, ColorWhen::Never][i];
                }),
                "ascii" => flag().map(|b| next.ascii = b),
                "ambiwidth" => {
                    choice(&["narrow", "wide"]).map(|i| next.ambiwidth = [AmbiWidth::Narrow, AmbiWidth::Wide][i])
                }
                // 0: no cap, as `--width 0`.
                "width" => match v.as_u64() {
                    Some(0) => {
                        next.width = Some(0);
                        Ok(())
                    }
                    _ => number(WIDTH_RANGE).map(|n| next.width = Some(n)).map_err(|_| {
                        let (lo, hi) = WIDTH_RANGE;
                        format!("width must be 0 (no cap) or a whole number from {lo} to {hi}, not {}", shown(&v))
                    }),
                },
                "mouse" => flag().map(|b| next.mouse = b),
                "copy_to" => match &v {
                    Value::String(s) if !s.trim().is_empty() => {
                        next.copy_to = Some(expand_home(s));
                        Ok(())
                    }
                    _ => Err(format!("copy_to must be a file name, not {}", shown(&v))),
                },
                "tree" => flag().map(|b| next.tree = b),
                "tree_width" => number(TREE_WIDTH_RANGE).map(|n| next.tree_width = Some(n)),
                "library" => match &v {
                    Value::String(s) if !s.trim().is_empty() => {
                        next.library = Some(expand_home(s));
                        Ok(())
                    }
                    _ => Err(format!("library must be a folder name, not {}", shown(&v))),
                },
                "citation" => {
                    use crate::export::CitationStyle;
                    choice(&CitationStyle::NAMES).map(|i| next.citation = CitationStyle::ALL[i])
                }
                _ => Err(format!("unknown key {key:?} (expected one of {})", KEYS.join(", "))),
            };
            if let Err(m) = result {
                errors.push(error(&key, m));
            }
        }
        if errors.is_empty() {
            *self = next;
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The defaults with a config file laid over them: `explicit` (from
    /// `--config`) must exist; the default file is read only if it does.
    /// Errors are lines to print, each naming the file.
    pub fn load(explicit: Option<&Path>) -> Result<Options, Vec<String>> {
        let mut o = Options::default();
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(o),
            },
        };
        let text = crate::content::read_guarded_text(&path, MAX_CONFIG_BYTES)
            .map_err(|e| vec![format!("{}: {e}", path.display())])?;
        o.apply_file(&path.display().to_string(), &text)
            .map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_parses() {
        let mut o = Options::default();
        let text = "color: never\nascii: true\nambiwidth: wide\nwidth: 72\nmouse: true\ncopy_to: /tmp/clips.txt\ntree: false\ntree_width: 30\nlibrary: /tmp/lib\ncitation: gb7714\n";
        o.apply_file("c.yaml", text).unwrap();
        assert_eq!(
            o,
            Options {
                color: ColorWhen::Never,
                ascii: true,
                ambiwidth: AmbiWidth::Wide,
                width: Some(72),
                mouse: true,
                copy_to: Some(PathBuf::from("/tmp/clips.txt")),
                tree: false,
                tree_width: Some(30),
                library: Some(PathBuf::from("/tmp/lib")),
                citation: crate::export::CitationStyle::Gb7714,
            }
        );
        for (name, style) in crate::export::CitationStyle::NAMES.iter().zip(crate::export::CitationStyle::ALL) {
            let mut o = Options::default();
            o.apply_file("c.yaml", &format!("citation: {name}\n")).unwrap();
            assert_eq!(o.citation, style);
        }
    }

    /// A citation style that is not one of the four: the file, the line
    /// and the four names.
    #[test]
    fn a_bad_citation_style_is_located() {
        let mut o = Options::default();
        let errors = o.apply_file("c.yaml", "mouse: true\ncitation: chicago\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "c.yaml:2:1: citation must be yanbao, 资料来源, gb7714 or apa, not \"chicago\""
        );
        assert_eq!(o, Options::default());
    }

    #[test]
    fn a_bad_file_changes_nothing() {
        let mut o = Options::default();
        assert!(o.apply_file("c.yaml", "mouse: true\nwidth: 5\n").is_err());
        assert_eq!(o, Options::default());
    }
}
