//! Rendering results: aligned `label: value` lines for people, one JSON document for scripts.

use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug)]
pub struct Output {
    /// `--json`.
    pub json: bool,
    printed: std::cell::Cell<bool>,
}

impl Output {
    /// From the global flag.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            printed: std::cell::Cell::new(false),
        }
    }

    /// Whether a result document was already printed (then an error adds no second one).
    pub fn printed(&self) -> bool {
        self.printed.get()
    }

    /// Print `value` as JSON, or `lines` as aligned `label: value` pairs.
    pub fn record<T: Serialize>(&self, value: &T, lines: &[(&str, String)]) {
        self.printed.set(true);
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(text) => println!("{text}"),
                Err(e) => eprintln!("error: cannot render JSON: {e}"),
            }
            return;
        }
        let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
        for (label, value) in lines {
            println!("{:<width$} {value}", format!("{label}:"));
        }
    }
}
