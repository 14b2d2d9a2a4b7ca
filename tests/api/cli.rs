//! `vigie user create`: the password comes from standard input, never the command line.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{PASSWORD, TestApp};

fn create_user(app: &TestApp, email: &str, role: &str, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "user",
            "create",
            "--email",
            email,
            "--name",
            "Claire Dubois",
            "--role",
            role,
        ])
        .env("DATABASE_URL", app.database_url())
        .env("VIGIE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("password written");
    child.wait_with_output().expect("vigie ends")
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin_and_the_user_can_sign_in() {
    let app = TestApp::spawn().await;
    let out = create_user(
        &app,
        "claire@vigie.example",
        "editor",
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("created editor claire@vigie.example")
    );

    let page = app
        .browser()
        .sign_in("claire@vigie.example", PASSWORD)
        .await;
    assert_eq!(page.status, 303);
    let role: String =
        sqlx::query_scalar("select role from app_user where email = 'claire@vigie.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(role, "editor");

    let again = create_user(
        &app,
        "CLAIRE@vigie.example",
        "admin",
        &format!("{PASSWORD}\n"),
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[tokio::test]
async fn user_create_refuses_weak_passwords_with_a_clear_message() {
    let app = TestApp::spawn().await;
    for (password, message) in [
        ("court\n", "at least 12 characters"),
        ("motdepasse123\n", "among the most common"),
        (&format!("{}\n", "x".repeat(257)), "at most 256 characters"),
    ] {
        let out = create_user(&app, "faible@vigie.example", "journalist", password);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing half-written");
    let bad_role = create_user(&app, "x@vigie.example", "chef", &format!("{PASSWORD}\n"));
    assert!(!bad_role.status.success());
}
