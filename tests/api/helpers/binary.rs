//! The `vigie` binary run against a test's own database, and scratch files for what it reads
//! and writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use uuid::Uuid;

use super::TestApp;

/// Runs `vigie <args>` against the test's database.
pub fn vigie(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("VIGIE_BASE_URL", app.base_url())
        // With DATABASE_URL set, the data folder holds only the media files.
        .env("VIGIE_DATA_DIR", app.data_dir())
        .env("VIGIE_LOG", "warn")
        .output()
        .expect("vigie runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A path named `name` in a folder of its own under the system's temporary folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vigie-transfer-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

pub fn export_to(app: &TestApp, path: &Path) -> Vec<u8> {
    let out = vigie(
        app,
        &["export", "--output", path.to_str().expect("utf-8 path")],
    );
    assert!(out.status.success(), "export fails: {}", stderr(&out));
    std::fs::read(path).expect("export written")
}
