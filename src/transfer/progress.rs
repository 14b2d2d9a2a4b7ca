//! A progress bar for long imports and exports, drawn on standard error when it is a terminal
//! (redrawn at most ten times a second); silent when the output goes to a file or a pipe.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const WIDTH: u64 = 30;

pub struct Progress {
    label: &'static str,
    /// Counted in units of `per`, e.g. bytes shown as megabytes.
    per: u64,
    unit: &'static str,
    total: u64,
    done: u64,
    drawn_at: Option<Instant>,
    visible: bool,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Self {
        Self {
            label,
            per: 1,
            unit: "",
            total,
            done: 0,
            drawn_at: None,
            visible: std::io::stderr().is_terminal(),
        }
    }

    /// Counts bytes, shown as megabytes.
    pub fn bytes(label: &'static str, total: u64) -> Self {
        Self {
            per: 1_000_000,
            unit: " MB",
            ..Self::new(label, total)
        }
    }

    pub fn advance(&mut self, by: u64) {
        self.set(self.done + by);
    }

    pub fn set(&mut self, done: u64) {
        self.done = done;
        let due = self
            .drawn_at
            .is_none_or(|at| at.elapsed() >= Duration::from_millis(100));
        if self.visible && due {
            self.draw();
        }
    }

    /// Draws the bar full and moves to the next line.
    pub fn finish(mut self) {
        if self.visible {
            self.draw();
            eprintln!();
        }
    }

    fn draw(&mut self) {
        self.drawn_at = Some(Instant::now());
        eprint!(
            "\r{}{}",
            bar(self.label, self.done / self.per, self.total / self.per),
            self.unit
        );
        let _ = std::io::stderr().flush();
    }
}

/// `  articles [##########--------------------]   1000/3000`
fn bar(label: &str, done: u64, total: u64) -> String {
    // Nothing to do is all done.
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    format!(
        "  {label:<8} [{}{}] {done:>7}/{total}",
        "#".repeat(filled as usize),
        "-".repeat((WIDTH - filled) as usize)
    )
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn the_bar_fills_with_the_work_done() {
        assert_eq!(
            bar("articles", 1, 3),
            "  articles [##########--------------------]       1/3"
        );
        assert_eq!(
            bar("audit", 0, 0),
            "  audit    [##############################]       0/0"
        );
    }
}
