//! `common.urls` and `indexer.normalise.parse_urls` for the URL lists nearly every row has: the `urls` column
//! read into the fragments `indexer.native._urls` gives, byte for byte. Only lists of printable ASCII without
//! quotes or backslashes are taken, and none with an IPv6 or IP-like host; the others go to the Python parser.
//! The rules themselves (suffixes, tracking parameters, default ports) come from `common.urls`.

use crate::{push_key_list, PLACEHOLDERS};
use rustc_hash::{FxHashMap, FxHashSet};

pub struct UrlRules {
    pub multi_part_suffixes: FxHashSet<String>,
    pub tracking_params: FxHashSet<String>,
    pub tracking_prefixes: Vec<String>,
    pub default_ports: FxHashMap<String, String>,
}

/// One URL as `analyse_url` reads it.
struct UrlInfo {
    normalised: String,
    host: String,
    domain: Option<String>,
}

impl UrlRules {
    /// `_urls(parse_urls(value))`: the `url_hosts` and `url_domains` fields, then the `urls` field; None to leave
    /// the value to the Python parser.
    pub fn fragments(&self, value: &str) -> Option<[Vec<u8>; 2]> {
        if !value.bytes().all(|byte| (0x20..0x7f).contains(&byte) && !matches!(byte, b'\'' | b'"' | b'\\')) {
            return None;
        }
        let mut normalised: Vec<String> = Vec::new();
        let mut hosts: Vec<String> = Vec::new();
        let mut domains: Vec<String> = Vec::new();
        let mut value = value.trim_matches(' ');
        if !PLACEHOLDERS.contains(&value) {
            if value.starts_with('[') && value.ends_with(']') {
                value = value[1..value.len() - 1].trim_matches(' ');
            }
            for item in split_urls(value) {
                if item.is_empty() || PLACEHOLDERS.contains(&item) {
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
        let mut sites = Vec::new();
        push_key_list(&mut sites, "url_hosts", &hosts);
        push_key_list(&mut sites, "url_domains", &domains);
        let mut urls = Vec::new();
        push_key_list(&mut urls, "urls", &normalised);
        Some([sites, urls])
    }

    /// `analyse_url`: Some(None) for a blank URL, None when only Python can tell.
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
        normalised.push_str(path.trim_end_matches('/'));
        let query = self.clean_query(query.unwrap_or(""));
        if !query.is_empty() {
            normalised.push('?');
            normalised.push_str(&query);
        }
        let domain = self.registered_domain(&host)?;
        Some(Some(UrlInfo { normalised, host, domain }))
    }

    /// `_clean_query`: tracking parameters dropped, the rest sorted.
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

    /// `registered_domain`: Some(None) for no host, None for a host that may be an IP address.
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

/// `_URL_SEPARATOR.split`: a comma, with the spaces around it, separates two URLs only when a scheme and `://`
/// follow it.
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
