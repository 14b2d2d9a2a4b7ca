//! A real SMTP server on loopback for the tests: Python's `aiosmtpd` (installed by `.ci/run`),
//! writing each message it receives, decoded by Python's `email` package, as a JSON file the
//! test reads.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SERVER: &str = r#"
import email, email.policy, json, os, sys, time
from aiosmtpd.controller import Controller

folder, port = sys.argv[1], int(sys.argv[2])

class Keep:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        record = {
            "rcpt": list(envelope.rcpt_tos),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "text": plain.get_content() if plain else "",
            "html": html.get_content() if html else "",
        }
        path = os.path.join(folder, "%020d.json" % time.time_ns())
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"

server = Controller(Keep(), hostname="127.0.0.1", port=port)
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
"#;

/// One message as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mail {
    /// The envelope's recipients.
    pub rcpt: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// The first `https?://…` address in the text that contains `part`.
    pub fn link(&self, part: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(part))
            .unwrap_or_else(|| panic!("a link with {part:?} in {}", self.text))
            .to_owned()
    }
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    folder: PathBuf,
}

impl SmtpServer {
    /// A free loopback port (nothing listens on it once this returns).
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port")
    }

    pub fn start() -> Self {
        Self::start_on(Self::free_port())
    }

    /// Listens on `port` (of 127.0.0.1) once this returns.
    pub fn start_on(port: u16) -> Self {
        let folder =
            std::env::temp_dir().join(format!("vigie-smtp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&folder).expect("the mail folder");
        let mut child = Command::new("python3")
            .args([
                "-c",
                SERVER,
                folder.to_str().expect("utf-8"),
                &port.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs aiosmtpd (.ci/run installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("the server starts");
        assert_eq!(line.trim(), "ready", "aiosmtpd started");
        Self {
            child,
            port,
            folder,
        }
    }

    /// `VIGIE_SMTP_URL` for this server (plain SMTP on loopback).
    pub fn url(&self) -> String {
        Self::url_for(self.port)
    }

    pub fn url_for(port: u16) -> String {
        format!("smtp://127.0.0.1:{port}")
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.folder)
            .expect("the mail folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("a message")).expect("JSON"))
            .collect()
    }

    /// Waits (30 s at most) until `n` messages have arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..300 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{n} messages expected, {} arrived: {:?}",
            self.received().len(),
            self.received()
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
