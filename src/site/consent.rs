//! The visitor's consent, read from a consent cookie (proxy mode): Commanders Act's
//! `TC_PRIVACY`, or any cookie holding a comma-separated list of categories.
//!
//! CA documents the `TC_PRIVACY` value as `@`-separated fields (Platform-Documentation,
//! features/consent-management/knowledge-base/consent-cookie.md):
//! `<status>@<privacy_version>[|<tcf_version>]|<banner_id>|<site_id>@<consent_categories>@<blocked_on_categories>@<timestamps>[@<tcf_string>]`,
//! status `0` = opt-in for the listed categories, `1` = opt-out; lists comma-separated
//! (URL-encoded `%2C`), `ALL` in old banners. Blocked-on categories are always on and are
//! not repeated in the list. Pure: the Worker passes the Cookie header in.

use crate::cookies;
use crate::url::percent_decode;

/// Commanders Act's default consent cookie name.
pub const CA_CONSENT_COOKIE: &str = "TC_PRIVACY";

/// What the visitor agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consent {
    /// No consent cookie, an opt-out, or a value we cannot read: nothing is granted.
    None,
    /// Every category (`ALL`).
    All,
    /// These categories (trimmed, in cookie order, no duplicates).
    Categories(Vec<String>),
}

impl Consent {
    /// Reads cookie `name` of a Cookie header. A value with `@` is read as CA's format,
    /// anything else as a comma-separated list of granted categories (`ALL` = all).
    pub fn from_cookie_header(header: Option<&str>, name: &str) -> Consent {
        match header.and_then(|h| cookies::get(h, name)) {
            Some(value) if value.contains('@') => Consent::from_ca_value(&value),
            Some(value) => Consent::from_list(&value),
            None => Consent::None,
        }
    }

    /// CA's `TC_PRIVACY` value (already URL-decoded once, as cookies are).
    pub fn from_ca_value(value: &str) -> Consent {
        let mut fields = value.split('@');
        let (status, _versions, listed, blocked_on) = (fields.next(), fields.next(), fields.next(), fields.next());
        // Opt-out (`1`) lists refused categories, and we cannot know the others: nothing.
        if status.map(str::trim) != Some("0") {
            return Consent::None;
        }
        let listed = Consent::from_list(listed.unwrap_or(""));
        match (listed, Consent::from_list(blocked_on.unwrap_or(""))) {
            (Consent::All, _) | (_, Consent::All) => Consent::All,
            (Consent::Categories(mut a), Consent::Categories(b)) => {
                for c in b {
                    if !a.contains(&c) {
                        a.push(c);
                    }
                }
                Consent::Categories(a)
            }
            (Consent::Categories(a), Consent::None) | (Consent::None, Consent::Categories(a)) => Consent::Categories(a),
            (Consent::None, Consent::None) => Consent::None,
        }
    }

    /// `1,3` (or `1%2C3`); `ALL` is every category; empty is none.
    pub fn from_list(list: &str) -> Consent {
        let list = percent_decode(list, false);
        let mut out: Vec<String> = Vec::new();
        for c in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if c.eq_ignore_ascii_case("ALL") {
                return Consent::All;
            }
            if !out.iter().any(|o| o == c) {
                out.push(c.to_owned());
            }
        }
        match out.is_empty() {
            true => Consent::None,
            false => Consent::Categories(out),
        }
    }

    /// Whether `category` is granted.
    pub fn grants(&self, category: &str) -> bool {
        match self {
            Consent::None => false,
            Consent::All => true,
            Consent::Categories(list) => list.iter().any(|c| c == category.trim()),
        }
    }

    /// The categories to put in an event's `user.consent_categories`. `ALL` names no
    /// category, so it becomes the categories the Worker knows of (`known`).
    pub fn categories(&self, known: &[String]) -> Vec<String> {
        match self {
            Consent::None => Vec::new(),
            Consent::All => known.to_vec(),
            Consent::Categories(list) => list.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(list: &[&str]) -> Consent {
        Consent::Categories(list.iter().map(|c| (*c).to_owned()).collect())
    }

    #[test]
    fn reads_the_documented_examples() {
        // CA's consent-cookie.md, example 1: opt-in for 1 and 3, category 4 blocked on.
        assert_eq!(Consent::from_ca_value("0@002|12|3441@1%2C3@4@1592900933049@1592900933049"), cats(&["1", "3", "4"]));
        // Example 2: opt-out of everything (4 blocked on does not make it an opt-in).
        assert_eq!(Consent::from_ca_value("1@012|26|4221@@4@1592900933049@1592900933049"), Consent::None);
    }

    #[test]
    fn reads_the_cookie_as_browsers_send_it() {
        // The whole value URL-encoded, with a TCF version and vendor string.
        let h = "TCPID=1; TC_PRIVACY=0%40007%7C2%7C2%7C224%7C114%7C5380%401%2C2%2C3%40%401714758430157%2C1714758430157%2C1730310430157%40_v8AAA; x=1";
        let c = Consent::from_cookie_header(Some(h), CA_CONSENT_COOKIE);
        assert_eq!(c, cats(&["1", "2", "3"]));
        assert!(c.grants("2") && !c.grants("4"));
        assert_eq!(Consent::from_cookie_header(Some("TC_PRIVACY=0@064@ALL@"), CA_CONSENT_COOKIE), Consent::All);
        assert_eq!(Consent::from_cookie_header(Some("a=1"), CA_CONSENT_COOKIE), Consent::None);
        assert_eq!(Consent::from_cookie_header(None, CA_CONSENT_COOKIE), Consent::None);
    }

    #[test]
    fn other_cookies_are_lists_of_categories() {
        let h = "TC_PRIVACY_CENTER=2%2C3%2C4";
        assert_eq!(Consent::from_cookie_header(Some(h), "TC_PRIVACY_CENTER"), cats(&["2", "3", "4"]));
        assert_eq!(Consent::from_cookie_header(Some("c=ALL"), "c"), Consent::All);
        assert_eq!(Consent::from_cookie_header(Some("c=marketing, ads"), "c"), cats(&["marketing", "ads"]));
    }

    #[test]
    fn unreadable_values_grant_nothing() {
        for v in ["", "@", "x@y@1", "2@001@1", "0", "0@001"] {
            assert!(!Consent::from_ca_value(v).grants("1"), "{v}");
        }
    }

    #[test]
    fn all_names_the_known_categories() {
        assert_eq!(Consent::All.categories(&["3".into()]), vec!["3".to_owned()]);
        assert_eq!(cats(&["1"]).categories(&["3".into()]), vec!["1".to_owned()]);
        assert!(Consent::None.categories(&["3".into()]).is_empty());
        assert!(Consent::All.grants("anything"));
    }
}
