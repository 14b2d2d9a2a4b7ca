//! `cargo bench --bench media`: a phone photo (12 megapixels, JPEG, EXIF orientation and GPS)
//! sent through the real upload form of a real server, timed from the first byte sent until its
//! renditions are made (the background worker's job), then the bytes readers are served
//! against the original's. Also times the two halves alone (deciding what the upload is, and
//! making the renditions). Loopback only; on `DATABASE_URL`, or an embedded PostgreSQL in a
//! temporary folder. `BENCH_RUNS` uploads (default 5); medians are printed.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at its first failure, saying which step it was"
)]

use std::io::Cursor;
use std::str::FromStr;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use uuid::Uuid;
use vigie::config::{Config, MediaStorage};
use vigie::domain::password::{self, Password};
use vigie::domain::{DisplayName, Email, Role};
use vigie::media::process;

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

/// A photo-like picture: smooth light, shapes, and sensor-like noise (which is what makes
/// real photos large), as a quality-92 JPEG with an EXIF block (orientation 6, GPS).
fn photo() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 17) as f32 - 8.0;
        let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
        let sky = fy < 0.45 + 0.05 * (fx * 9.0).sin();
        let base = if sky {
            [90.0 + 80.0 * fy, 130.0 + 60.0 * fy, 200.0 - 40.0 * fy]
        } else {
            let stripes = ((fx * 60.0).sin() * (fy * 45.0).cos()) * 25.0;
            [120.0 + stripes, 110.0 + 0.6 * stripes, 80.0]
        };
        let c = |v: f32| (v + noise).clamp(0.0, 255.0) as u8;
        Rgb([c(base[0]), c(base[1]), c(base[2])])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut Cursor::new(&mut jpeg), 92)
        .encode_image(&image)
        .expect("jpeg");
    // APP1 Exif: orientation 6, a GPS latitude (as a phone writes them).
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        [
            tag.to_le_bytes().to_vec(),
            kind.to_le_bytes().to_vec(),
            count.to_le_bytes().to_vec(),
            value.to_le_bytes().to_vec(),
        ]
        .concat()
    };
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, 38));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, 68));
    tiff.extend(0u32.to_le_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (0, 1)] {
        tiff.extend(n.to_le_bytes());
        tiff.extend(d.to_le_bytes());
    }
    let mut out = jpeg[..2].to_vec();
    out.extend(b"\xff\xe1");
    out.extend(u16::try_from(8 + tiff.len()).expect("short").to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&jpeg[2..]);
    out
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let original = photo();
    println!(
        "photo: {WIDTH} × {HEIGHT} JPEG, {:.1} MB, EXIF orientation 6 + GPS",
        original.len() as f64 / 1e6
    );

    // The two halves alone, in this process.
    let max = 20_000_000;
    let mut inspect_times = Vec::new();
    let mut rendition_times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        process::inspect(&original, max).expect("accepted");
        inspect_times.push(started.elapsed());
        let started = Instant::now();
        process::renditions(&original, max, (0.5, 0.5)).expect("renditions");
        rendition_times.push(started.elapsed());
    }

    // A real server, on a fresh database.
    let tmp = std::env::temp_dir().join(format!("vigie-bench-media-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut embedded = None;
    let server = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => PgConnectOptions::from_str(&url).expect("DATABASE_URL"),
        _ => {
            let pg = vigie::db::embedded::EmbeddedPostgres::start(&tmp.join("postgres"), None)
                .expect("embedded PostgreSQL (or set DATABASE_URL)");
            let options = pg.connect_options("postgres");
            embedded = Some(pg);
            options
        }
    };
    let db_name = format!("vigie_bench_media_{}", Uuid::new_v4().simple());
    let pool = vigie::db::open_pool(
        server.clone().database(&db_name),
        vigie::db::PoolLimits::default(),
    )
    .await
    .expect("database");
    vigie::db::MIGRATOR.run(&pool).await.expect("migrations");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().expect("address");
    let mut config = Config::from_lookup(|name| match name {
        "VIGIE_BASE_URL" => Some(format!("http://{addr}")),
        "VIGIE_LOG" => Some("error".into()),
        _ => None,
    })
    .expect("config");
    config.media = MediaStorage::Local(tmp.join("media"));
    let app = vigie::web::Application::build(pool.clone(), config, listener)
        .await
        .expect("app");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
        vigie::web::Stop::Interrupt
    }));

    let email = "bench@vigie.example";
    let pass = "une phrase de passe pour le banc";
    let hash = password::hash(&Password::parse(pass).expect("password")).expect("hash");
    let mut tx = pool.begin().await.expect("tx");
    vigie::store::users::create(
        &mut tx,
        &vigie::store::users::NewUser {
            email: &Email::parse(email).expect("email"),
            display_name: &DisplayName::parse("Banc d’essai").expect("name"),
            role: Role::Journalist,
            bio: "",
            password_hash: Some(&hash),
        },
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("email", email), ("password", pass)]).expect("form"))
        .send()
        .await
        .expect("sign-in");
    let account = client
        .get(format!("{base}/account"))
        .send()
        .await
        .expect("account")
        .text()
        .await
        .expect("page");
    let token = account
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token")
        .to_owned();

    let mut ready_times = Vec::new();
    let mut answered_times = Vec::new();
    let mut served = Vec::new();
    for run in 0..runs {
        let boundary = "----vigiebench";
        let mut body = Vec::new();
        for (name, value) in [
            ("csrf_token", token.as_str()),
            ("alt", "Une photo de téléphone"),
        ] {
            body.extend(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"IMG_{run}.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n").as_bytes());
        body.extend(&original);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let started = Instant::now();
        let answer = client
            .post(format!("{base}/editor/media"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("upload");
        assert_eq!(answer.status(), 201, "upload accepted");
        answered_times.push(started.elapsed());
        let json: serde_json::Value = answer.json().await.expect("json");
        let id = Uuid::parse_str(json["id"].as_str().expect("id")).expect("uuid");
        loop {
            let state: String = sqlx::query_scalar("select state from media where id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .expect("state");
            if state == "ready" {
                break;
            }
            assert_ne!(state, "failed");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ready_times.push(started.elapsed());
        if run == 0 {
            let files: Vec<(String, String, i32, i32, i64)> = sqlx::query_as(
                "select purpose, format, width, height, bytes from media_rendition where media_id = $1 order by purpose desc, width, format",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .expect("renditions");
            served = files;
        }
    }

    println!("\nmedian of {runs} runs, release build");
    println!(
        "  deciding what the upload is (decode, limits)   {}",
        ms(median(inspect_times))
    );
    println!(
        "  making the renditions (one worker)             {}",
        ms(median(rendition_times))
    );
    println!(
        "  upload answered (HTTP, file stored, job queued) {}",
        ms(median(answered_times))
    );
    println!(
        "  upload to ready (renditions made and recorded)  {}",
        ms(median(ready_times))
    );
    println!(
        "\nserved files against the original ({:.0} KB):",
        original.len() as f64 / 1e3
    );
    println!(
        "  {:<6} {:<5} {:>11} {:>9} {:>9}",
        "use", "type", "size", "KB", "% orig."
    );
    for (purpose, format, w, h, bytes) in &served {
        println!(
            "  {purpose:<6} {format:<5} {:>11} {:>9.1} {:>8.1}%",
            format!("{w}×{h}"),
            *bytes as f64 / 1e3,
            100.0 * *bytes as f64 / original.len() as f64
        );
    }

    let _ = stop.send(());
    let _ = serving.await;
    pool.close().await;
    if let Ok(mut conn) = PgConnection::connect_with(&server.clone().database("postgres")).await {
        let _ = sqlx::query(AssertSqlSafe(format!(
            "drop database if exists \"{db_name}\" with (force)"
        )))
        .execute(&mut conn)
        .await;
    }
    drop(embedded);
    let _ = std::fs::remove_dir_all(&tmp);
}
