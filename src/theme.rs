//! Colours. The default theme uses the 16 ANSI colours and modifiers only,
//! so it reads on dark and on light backgrounds; truecolor is used only when
//! COLORTERM says the terminal has it; `NO_COLOR` / `--color never` leave
//! only bold, underline and reverse video.

use crate::doc::Role;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    None,
    Ansi16,
    /// The xterm 256-colour palette (TERM=*-256color over SSH).
    Ansi256,
    TrueColor,
}

impl ColorDepth {
    /// Decide from the environment: `COLORTERM` (truecolor/24bit), `NO_COLOR`.
    pub fn detect(colorterm: Option<&str>, no_color: bool) -> ColorDepth {
        if no_color {
            return ColorDepth::None;
        }
        match colorterm {
            Some(c) if c.eq_ignore_ascii_case("truecolor") || c.eq_ignore_ascii_case("24bit") => ColorDepth::TrueColor,
            _ => ColorDepth::Ansi16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub depth: ColorDepth,
    pub ascii: bool,
}

impl Theme {
    pub fn new(depth: ColorDepth, ascii: bool) -> Theme {
        Theme { depth, ascii }
    }

    fn c(&self, ansi: Color, rgb: (u8, u8, u8)) -> Option<Color> {
        match self.depth {
            ColorDepth::None => None,
            ColorDepth::Ansi16 => Some(ansi),
            ColorDepth::Ansi256 => {
                // The nearest colour of the 6×6×6 cube.
                let q = |v: u8| (v as u16 * 5 + 127) / 255;
                Some(Color::Indexed((16 + 36 * q(rgb.0) + 6 * q(rgb.1) + q(rgb.2)) as u8))
            }
            ColorDepth::TrueColor => Some(Color::Rgb(rgb.0, rgb.1, rgb.2)),
        }
    }

    fn fg(&self, ansi: Color, rgb: (u8, u8, u8)) -> Style {
        match self.c(ansi, rgb) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan, (0, 150, 170))
    }

    pub fn dim(&self) -> Style {
        match self.depth {
            ColorDepth::None => Style::new(),
            _ => self.fg(Color::DarkGray, (128, 128, 128)),
        }
    }

    pub fn role(&self, r: Role) -> Style {
        let bold = Modifier::BOLD;
        match r {
            Role::Body => Style::new(),
            Role::Title => self.fg(Color::Cyan, (0, 150, 170)).add_modifier(bold),
            Role::H1 => self.fg(Color::Blue, (70, 110, 200)).add_modifier(bold),
            Role::H2 => self.fg(Color::Magenta, (170, 80, 170)).add_modifier(bold),
            Role::H3 | Role::Label | Role::TableHead => Style::new().add_modifier(bold),
            Role::Meta | Role::Rule => self.dim(),
            Role::Number => self.accent().add_modifier(bold),
            Role::Value => Style::new().add_modifier(bold),
            Role::Up => self.fg(Color::Green, (40, 160, 80)),
            Role::Down => self.fg(Color::Red, (200, 60, 60)),
            Role::Bar => self.fg(Color::Blue, (70, 110, 200)),
            Role::EstimateBar => match self.depth {
                ColorDepth::None => Style::new().add_modifier(Modifier::DIM),
                _ => self.fg(Color::Magenta, (170, 110, 200)),
            },
            Role::Bullet => self.accent(),
            Role::CaseTitle => self.fg(Color::Green, (40, 150, 90)).add_modifier(bold),
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused { self.accent() } else { self.dim() }
    }

    /// The focus mark in the reader's gutter: the accent, bold (a glyph,
    /// so it shows without colour too).
    pub fn focus_mark(&self) -> Style {
        self.accent().add_modifier(Modifier::BOLD)
    }

    /// The focus mark's glyph: `▍`, or `>` with `--ascii` (a `|` would
    /// read as part of the border beside it).
    pub fn focus_glyph(&self) -> &'static str {
        if self.ascii { ">" } else { "▍" }
    }

    pub fn selection(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn status(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Every find match; black on yellow reads on dark and light themes.
    pub fn find_match(&self) -> Style {
        match self.depth {
            ColorDepth::None => Style::new().add_modifier(Modifier::UNDERLINED),
            _ => Style::new().fg(Color::Black).bg(Color::Yellow),
        }
    }

    /// The current find match.
    pub fn find_current(&self) -> Style {
        match self.depth {
            ColorDepth::None => Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
            _ => Style::new().fg(Color::Black).bg(Color::LightRed).add_modifier(Modifier::BOLD),
        }
    }
}
