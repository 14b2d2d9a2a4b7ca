//! Webhooks' rules, without I/O: the events one may subscribe to, Standard Webhooks signatures
//! (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed by the `whsec_` secret),
//! the back-off between attempts, and which addresses a delivery may go to.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Every event an endpoint may subscribe to, with what it means.
pub const EVENTS: &[(&str, &str)] = &[
    (
        "article.published",
        "un article est publié (ou sort à l’heure programmée)",
    ),
    ("article.updated", "un article publié est modifié"),
    ("article.unpublished", "un article est mis hors ligne"),
    (
        "article.withdrawn",
        "un article est retiré (410, avec son motif)",
    ),
    (
        "article.deleted",
        "un article que les lecteurs ont pu voir est supprimé",
    ),
    ("article.scheduled", "un article est programmé"),
    ("article.submitted", "un article est envoyé en relecture"),
    ("correction.added", "une correction est publiée"),
    ("tag.changed", "un thème est créé, modifié ou supprimé"),
];

/// Whether `name` is one of [`EVENTS`].
pub fn is_event(name: &str) -> bool {
    EVENTS.iter().any(|(e, _)| *e == name)
}

/// A new endpoint secret: `whsec_` and 32 random bytes in base64 (`None` if the system's
/// random source cannot be read).
pub fn new_secret() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(format!("whsec_{}", STANDARD.encode(bytes)))
}

/// The signature of a message with `secret`: `v1,<base64>`; `None` for a secret that is not a
/// `whsec_` one.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// How long to wait after failed attempt number `attempt` (1, 2, …): `base` × 4ⁿ⁻¹, at most a
/// day, give or take a fifth at random (`jitter` in 0..1), so that an endpoint coming back
/// is not hit by every waiting delivery at once. With the default 15 s: 15 s, 1 min, 4 min,
/// 16 min, about 1 h, 4 h, 17 h, then a day: ten attempts span about three days, after
/// which an endpoint still failing is turned off (`VIGIE_WEBHOOK_GIVE_UP`).
pub fn backoff(base: Duration, attempt: i32, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).clamp(0, 20);
    let wait = base.as_secs_f64() * 4f64.powi(exponent);
    let wait = wait.min(86_400.0) * (0.8 + 0.4 * jitter.clamp(0.0, 1.0));
    Duration::from_secs_f64(wait)
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, broadcast, documentation or reserved, nor an IPv6
/// address standing for one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local, 2001:db8::/32 documentation,
                // 64:ff9b::/96 (NAT64, may reach any IPv4), ::/96 (IPv4-compatible).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                || (first == 0x0064 && v6.segments()[1] == 0xff9b)
                // fec0::/10, the old site-local.
                || (first & 0xffc0) == 0xfec0
                || v6.segments()[..6].iter().all(|s| *s == 0))
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

/// What is wrong with `url` as an endpoint's address, if anything: only `https://` (and
/// `http://` when private receivers are allowed), and no literal address that is not public
/// unless allowed. A name is checked when a delivery resolves it.
pub fn url_problem(url: &str, allow_private: bool) -> Option<&'static str> {
    let url = url.trim();
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        if !allow_private {
            return Some("L’adresse doit commencer par https:// (les livraisons sont chiffrées).");
        }
        rest
    } else {
        return Some("L’adresse doit commencer par https://.");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty()
        || authority.contains('@')
        || url.len() > 2000
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Some("Cette adresse n’est pas une adresse web valide.");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if let Ok(ip) = host.parse::<IpAddr>()
        && !allow_private
        && !is_public(ip)
    {
        return Some(
            "Cette adresse est privée, locale ou réservée : les webhooks ne vont qu’à des adresses publiques.",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("not-a-secret", id, 1, body), None);
        let fresh = new_secret().unwrap();
        assert!(fresh.starts_with("whsec_"));
        assert!(sign(&fresh, id, 1, body).is_some());
    }

    #[test]
    fn back_off_grows_to_a_day_over_about_three_days() {
        let base = Duration::from_secs(15);
        assert_eq!(backoff(base, 1, 0.5), Duration::from_secs(15));
        assert_eq!(backoff(base, 2, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(base, 30, 0.5), Duration::from_secs(86_400));
        assert!(backoff(base, 1, 0.0) >= Duration::from_secs(12));
        assert!(backoff(base, 1, 1.0) <= Duration::from_secs(18));
        let total: f64 = (1..=9).map(|n| backoff(base, n, 0.5).as_secs_f64()).sum();
        assert!((2.5 * 86_400.0..3.5 * 86_400.0).contains(&total), "{total}");
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "::127.0.0.1",
            "2001:db8::1",
            "198.18.0.1",
            "240.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn an_endpoint_is_https_on_a_public_address_unless_private_ones_are_allowed() {
        assert_eq!(url_problem("https://hooks.example.org/vigie", false), None);
        assert_eq!(
            url_problem("https://localhost:8443/x", false),
            None,
            "names are checked when sent"
        );
        for bad in [
            "http://hooks.example.org/",
            "ftp://x",
            "https://127.0.0.1/",
            "https://[::1]:8443/",
            "https://10.0.0.5:443/x",
            "https://169.254.169.254/latest",
            "https://user@hooks.example.org/",
            "https:///x",
            "https://a b/",
        ] {
            assert!(url_problem(bad, false).is_some(), "{bad}");
        }
        assert_eq!(url_problem("http://127.0.0.1:9000/hook", true), None);
        assert!(is_event("article.published") && !is_event("article.*"));
    }
}
