//! `common.urls` and `indexer.normalise.parse_urls` for the URL lists nearly every row has: the `urls` column
//! read into the fragments `indexer.native._urls` gives, byte for byte. Only lists of printable ASCII without
//! quotes or backslashes are taken, and none with an IPv6 or IP-like host; the others go to the Python parser.
//! The rules themselves (suffixes, tracking parameters, default ports) and the placeholders come from the Python
//! side, handed over when the encoder is made.

use crate::json::push_key_list;
use crate::parsers::Placeholders;
use rustc_hash::{FxHashMap, FxHashSet};

/// The rules of `common.urls`, as `indexer.native.encoder_constants` hands them over.
pub struct UrlRules {
    pub multi_part_suffixes: FxHashSet<String>,
    pub tracking_params: FxHashSet<String>,
    pub tracking_prefixes: Vec<String>,
    pub default_ports: FxHashMap<String, String>,
}

/// One URL as `common.urls.analyse_url` reads it (`common.urls.UrlInfo`).
struct UrlInfo {
    normalised: String,
    host: String,
    domain: Option<String>,
}

impl UrlRules {
    /// `indexer.native._urls(indexer.normalise.parse_urls(value))`: the `url_hosts`, `url_domains` and `urls`
    /// fields; None to leave the value to the Python parser.
    pub fn fragments(&self, value: &str, placeholders: &Placeholders) -> Option<[Vec<u8>; 3]> {
        if !value.bytes().all(|byte| (0x20..0x7f).contains(&byte) && !matches!(byte, b'\'' | b'"' | b'\\')) {
            return None;
        }
        let mut normalised: Vec<String> = Vec::new();
        let mut hosts: Vec<String> = Vec::new();
        let mut domains: Vec<String> = Vec::new();
        let mut value = value.trim_matches(' ');
        if !placeholders.contains(value) {
            if value.starts_with('[') && value.ends_with(']') {
                value = value[1..value.len() - 1].trim_matches(' ');
            }
            for item in split_urls(value) {
                if item.is_empty() || placeholders.contains(item) {
                    continue;
                }
                let Some(info) = self.analyse(item)? else { continue };
                push_unique(&mut normalised, info.normalised);
                if !info.host.is_empty() {
                    push_unique(&mut hosts, info.host);
                }
                if let Some(domain) = info.domain.filter(|domain| !domain.is_empty()) {
                    push_unique(&mut domains, domain);
                }
            }
        }
        let mut fields = [Vec::new(), Vec::new(), Vec::new()];
        push_key_list(&mut fields[0], "url_hosts", &hosts);
        push_key_list(&mut fields[1], "url_domains", &domains);
        push_key_list(&mut fields[2], "urls", &normalised);
        Some(fields)
    }

    /// `common.urls.analyse_url`: Some(None) for a blank URL, None when only Python can tell.
    fn analyse(&self, url: &str) -> Option<Option<UrlInfo>> {
        let url = url.trim_matches(' ');
        if url.is_empty() {
            return Some(None);
        }
        let (scheme, rest) = match scheme_length(url) {
            Some(length) => (url[..length].to_ascii_lowercase(), &url[length + 3..]),
            None => ("http".to_owned(), url.trim_start_matches('/')),
        };
        let netloc_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (netloc, rest) = rest.split_at(netloc_end);
        let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
        let (path, rest) = rest.split_at(path_end);
        let query = rest.strip_prefix('?').map(|query| &query[..query.find('#').unwrap_or(query.len())]);

        let (userinfo, hostport) = netloc.rsplit_once('@').unwrap_or(("", netloc));
        if hostport.starts_with('[') {
            return None;
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit()) => (host, port),
            _ => (hostport, ""),
        };
        let host = bare_host(host);
        let mut netloc = host.clone();
        if !port.is_empty() && self.default_ports.get(&scheme).map(String::as_str) != Some(port) {
            netloc = format!("{host}:{port}");
        }
        if !userinfo.is_empty() {
            netloc = format!("{userinfo}@{netloc}");
        }
        let mut normalised = format!("{scheme}://{netloc}");
        normalised.push_str(uri_escapes(path).trim_end_matches('/'));
        let query = self.clean_query(&uri_escapes(query.unwrap_or("")));
        if !query.is_empty() {
            normalised.push('?');
            normalised.push_str(&query);
        }
        let domain = self.registered_domain(&host)?;
        Some(Some(UrlInfo { normalised, host, domain }))
    }

    /// `common.urls._clean_query`: tracking parameters dropped, the rest sorted.
    fn clean_query(&self, query: &str) -> String {
        let mut kept: Vec<&str> = query
            .split('&')
            .filter(|param| {
                let name = param.split_once('=').map_or(*param, |(name, _)| name).to_ascii_lowercase();
                !param.is_empty() && !self.is_tracking(&name)
            })
            .collect();
        kept.sort_unstable();
        kept.join("&")
    }

    fn is_tracking(&self, name: &str) -> bool {
        self.tracking_params.contains(name) || self.tracking_prefixes.iter().any(|prefix| name.starts_with(prefix.as_str()))
    }

    /// `common.urls.registered_domain`: Some(None) for no host, None for a host that may be an IP address.
    fn registered_domain(&self, host: &str) -> Option<Option<String>> {
        if host.is_empty() {
            return Some(None);
        }
        let host = bare_host(host);
        if host.ends_with(|c: char| c.is_ascii_digit()) || host.contains(':') {
            return None;
        }
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() <= 2 {
            return Some(Some(host));
        }
        let last_two = labels[labels.len() - 2..].join(".");
        let keep = if self.multi_part_suffixes.contains(&last_two) { 3 } else { 2 };
        Some(Some(labels[labels.len() - keep..].join(".")))
    }
}

/// `common.urls._uri_escapes` for ASCII text (the only text this parser takes): escapes upper-cased, escaped
/// unreserved characters decoded, so `%d9%87` and `%D9%87` are one address.
fn uri_escapes(part: &str) -> String {
    if !part.contains('%') {
        return part.to_owned();
    }
    let bytes = part.as_bytes();
    let mut out = String::with_capacity(part.len());
    let mut copied = 0;
    let mut index = 0;
    while index + 2 < bytes.len() {
        if bytes[index] == b'%' && bytes[index + 1].is_ascii_hexdigit() && bytes[index + 2].is_ascii_hexdigit() {
            out.push_str(&part[copied..index]);
            let hex = &part[index + 1..index + 3];
            let byte = u8::from_str_radix(hex, 16).unwrap_or(b'%');
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(byte as char);
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            index += 3;
            copied = index;
        } else {
            index += 1;
        }
    }
    out.push_str(&part[copied..]);
    out
}

/// A host lower-cased, without trailing dots and one leading `www.`.
fn bare_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// The length of the scheme `url` starts with when a `://` follows it: `[A-Za-z][A-Za-z0-9+.-]*`.
fn scheme_length(url: &str) -> Option<usize> {
    let bytes = url.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let length = bytes.iter().position(|&byte| !(byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'.' | b'-')))?;
    bytes[length..].starts_with(b"://").then_some(length)
}

/// `indexer.normalise._URL_SEPARATOR.split`: a comma, with the spaces around it, separates two URLs only when a
/// scheme and `://` follow it.
fn split_urls(value: &str) -> Vec<&str> {
    let bytes = value.as_bytes();
    let mut items = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b',' {
            let mut next = at + 1;
            while bytes.get(next) == Some(&b' ') {
                next += 1;
            }
            if scheme_length(&value[next..]).is_some() {
                let mut end = at;
                while end > start && bytes[end - 1] == b' ' {
                    end -= 1;
                }
                items.push(&value[start..end]);
                start = next;
                at = next;
                continue;
            }
        }
        at += 1;
    }
    items.push(&value[start..]);
    items
}

fn push_unique(items: &mut Vec<String>, item: String) {
    if !items.contains(&item) {
        items.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::tests::placeholders;

    fn rules() -> UrlRules {
        UrlRules {
            multi_part_suffixes: ["co.uk".to_owned()].into_iter().collect(),
            tracking_params: ["fbclid".to_owned()].into_iter().collect(),
            tracking_prefixes: vec!["utm_".to_owned()],
            default_ports: [("https".to_owned(), "443".to_owned()), ("http".to_owned(), "80".to_owned())].into_iter().collect(),
        }
    }

    fn fields(value: &str) -> Option<[String; 3]> {
        Some(rules().fragments(value, &placeholders())?.map(|field| String::from_utf8(field).unwrap()))
    }

    #[test]
    fn a_list_in_both_syntaxes() {
        let [hosts, domains, urls] = fields("[http://a.com/x,y, https://www.B.co.uk:443/p/?b=2&a=1&utm_x=3&fbclid=9]").unwrap();
        assert_eq!(hosts, r#""url_hosts":["a.com","b.co.uk"],"#);
        assert_eq!(domains, r#""url_domains":["a.com","b.co.uk"],"#);
        assert_eq!(urls, r#""urls":["http://a.com/x,y","https://b.co.uk/p?a=1&b=2"],"#);
        let [hosts, _, urls] = fields("[absent, ]").unwrap();
        assert_eq!((hosts, urls), (r#""url_hosts":["absent,"],"#.into(), r#""urls":["http://absent,"],"#.into()));
        let [_, _, urls] = fields("news.example.org/a/ , HTTP://Example.org:8080").unwrap();
        assert_eq!(urls, r#""urls":["http://news.example.org/a","http://example.org:8080"],"#);
    }

    #[test]
    fn escapes_have_one_spelling() {
        let [_, _, urls] = fields("https://www.alarabiya.net/2018/%d9%87%d9%84-%7e%41/?q=%d8%a7&a=%2f%zz").unwrap();
        assert_eq!(urls, r#""urls":["https://alarabiya.net/2018/%D9%87%D9%84-~A?a=%2F%zz&q=%D8%A7"],"#);
        assert_eq!(uri_escapes("%4"), "%4");
        assert_eq!(uri_escapes("%e4%b8%ad"), "%E4%B8%AD");
    }

    #[test]
    fn placeholders_give_no_fields() {
        for value in ["", "[]", "absent", " None ", "[absent]", "[ null ]"] {
            assert_eq!(fields(value).unwrap(), [String::new(), String::new(), String::new()], "{value:?}");
        }
    }

    #[test]
    fn the_rare_lists_go_to_python() {
        for value in ["['http://a.com']", "http://[::1]/x", "http://10.0.0.1/", "http://a.com/\\x", "http://é.com"] {
            assert_eq!(fields(value), None, "{value:?}");
        }
    }
}
