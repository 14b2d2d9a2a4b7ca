//! A real S3-compatible server (`s3s-fs`: the S3 protocol over a folder), started in this
//! process on loopback, with its own keys: what two Vigie instances share their media through
//! in the tests, instead of a mock.

use std::net::SocketAddr;
use std::path::PathBuf;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::sync::oneshot;

pub const ACCESS_KEY: &str = "vigie-test-access";
pub const SECRET_KEY: &str = "vigie-test-secret-never-logged";

/// A running S3 server; stops (and its folder goes) when dropped.
pub struct S3Server {
    pub addr: SocketAddr,
    pub root: PathBuf,
    _stop: oneshot::Sender<()>,
}

impl S3Server {
    /// Starts a server holding one empty bucket, `bucket`.
    pub async fn start(bucket: &str) -> Self {
        let root = std::env::temp_dir().join(format!("vigie-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join(bucket)).expect("bucket folder");
        let fs = s3s_fs::FileSystem::new(&root).expect("s3s-fs opens its folder");
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a port");
        let addr = listener.local_addr().expect("bound address");
        let (stop, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                let socket = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((socket, _)) => socket,
                        Err(_) => continue,
                    },
                    _ = &mut stopped => break,
                };
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            root,
            _stop: stop,
        }
    }

    /// The settings that make a Vigie instance keep its media in `bucket` here.
    pub fn storage(&self, bucket: &str, prefix: &str) -> vigie::config::MediaStorage {
        vigie::config::MediaStorage::S3(vigie::config::S3Settings {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            endpoint: Some(format!("http://{}", self.addr)),
            region: "us-east-1".to_owned(),
            access_key_id: Some(ACCESS_KEY.to_owned()),
            secret_access_key: Some(vigie::config::Secret::new(SECRET_KEY.to_owned())),
            session_token: None,
        })
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
