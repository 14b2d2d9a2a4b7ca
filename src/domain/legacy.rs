//! Addresses articles had on the site they were imported from (a WordPress permalink such as
//! `/2026/01/ete-bilan/`): the same address written in different ways must compare equal.
//! (WordPress's `/?p=ID` links are kept as written: the home page answers them.)

use percent_encoding::percent_decode_str;

/// The longest old address kept (a database check holds the same limit).
pub const MAX_LEN: usize = 2000;

/// `path` (an address's path, as a browser sends it or an export file writes it) in the one
/// form it is stored and looked up in: percent-decoded, without the trailing slash. `None`
/// for the site's root and for what is no path at all.
pub fn legacy_path(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let trimmed = decoded.trim_end_matches('/');
    (trimmed.starts_with('/') && trimmed.len() <= MAX_LEN && !trimmed.contains('\0'))
        .then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::legacy_path;

    #[test]
    fn one_address_written_several_ways_is_one_path() {
        let expected = Some("/2025/08/été-bilan".to_owned());
        assert_eq!(legacy_path("/2025/08/%c3%a9t%c3%a9-bilan/"), expected);
        assert_eq!(legacy_path("/2025/08/%C3%A9t%C3%A9-bilan"), expected);
        assert_eq!(legacy_path("/2025/08/été-bilan/?utm_source=x"), expected);
    }

    #[test]
    fn the_root_and_non_paths_are_not_old_addresses() {
        assert_eq!(legacy_path("/"), None);
        assert_eq!(legacy_path(""), None);
        assert_eq!(legacy_path("/?p=12"), None);
        assert_eq!(legacy_path("relative/path"), None);
        assert_eq!(legacy_path("/%FF%FE"), None);
        assert_eq!(legacy_path("/a%00b"), None);
    }
}
