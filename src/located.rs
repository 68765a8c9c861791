//! One error type for every file yanbao reads (content, keymap, config,
//! import input): the file, the line and column where they are known, the
//! YAML path where there is one, and what is wrong. Printed as
//! `file:line:column: path: message`, as compilers print theirs, so that an
//! editor can jump to it. The content, keymap, config and import errors are
//! this type under their own names.

use std::fmt;

/// A problem in a file, where it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The YAML path inside the file, e.g. `sections[0].blocks[2].rows[1]`
    /// (empty where there is none).
    pub path: String,
    pub message: String,
}

impl Located {
    /// A problem at a line and column (either may be unknown).
    pub fn at(file: &str, line: Option<usize>, column: Option<usize>, message: impl Into<String>) -> Located {
        Located { file: file.to_string(), line, column, path: String::new(), message: message.into() }
    }

    /// A problem of the whole file.
    pub fn file_only(file: &str, message: &str) -> Located {
        Located::at(file, None, None, message)
    }

    /// A file of `name` that is not YAML, at serde_yaml's location (the
    /// keymap's and the config's shared wording).
    pub fn malformed(name: &str, e: &serde_yaml::Error) -> Located {
        let loc = e.location();
        let msg = e.to_string();
        // serde_yaml appends " at line L column C"; the position has its own fields.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Located::at(
            name,
            loc.as_ref().map(|l| l.line()),
            loc.as_ref().map(|l| l.column()),
            format!("malformed YAML: {msg}"),
        )
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Located {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_located_error_prints_what_is_known() {
        let mut e = Located::at("fs/ch1.yaml", Some(3), Some(8), "not valid UTF-8");
        assert_eq!(e.to_string(), "fs/ch1.yaml:3:8: not valid UTF-8");
        e.path = "sections[0].id".into();
        assert_eq!(e.to_string(), "fs/ch1.yaml:3:8: sections[0].id: not valid UTF-8");
        assert_eq!(Located::at("k.yaml", Some(2), None, "x").to_string(), "k.yaml:2: x");
        assert_eq!(Located::file_only("c.yaml", "missing").to_string(), "c.yaml: missing");
    }
}
