//! The column parsers the encoder runs on every row, each the twin of a Python parser (named on each function):
//! they give the same value, or None where only the Python parser can tell (then the row goes to the Python
//! reader). The constants they share with Python (`indexer.normalise.PLACEHOLDERS`, `TWITTER_EPOCH_MS`,
//! `FIRST_SNOWFLAKE_ID`) are handed over by `indexer.native` when the encoder is made: no copy of them is here.

/// `indexer.normalise.PLACEHOLDERS`: how the releases write "no value" in structured columns.
#[derive(Debug, Clone, Default)]
pub struct Placeholders(pub Vec<String>);

impl Placeholders {
    /// `value in PLACEHOLDERS`.
    pub fn contains(&self, value: &str) -> bool {
        self.0.iter().any(|placeholder| placeholder == value)
    }
}

/// `indexer.normalise.TWITTER_EPOCH_MS` and `FIRST_SNOWFLAKE_ID`: how a snowflake id carries its time.
#[derive(Debug, Clone, Copy)]
pub struct Snowflakes {
    pub epoch_ms: u128,
    pub first_id: u128,
}

/// Seconds since 1970 beyond which a snowflake time is declined (year 2096): a double's rounding of
/// `ms / 1000`, which Python's `fromtimestamp` sees, is then still far below half a microsecond. A limit of this
/// twin only (Python reads such ids itself), not a constant of the Python side.
const LATEST_SNOWFLAKE_SECONDS: u128 = 4_000_000_000;

/// `bytes.isspace()` for one byte: the ASCII spaces and \x0b.
pub fn is_py_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// `indexer.normalise.parse_id`: Some(None) for no id, Some(Some(id)) for an id, None when only Python can tell
/// (non-ASCII).
pub fn parse_id<'a>(value: &'a str, placeholders: &Placeholders) -> Option<Option<&'a str>> {
    if !value.is_ascii() {
        return None;
    }
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(Some(value));
    }
    let value = python_strip(value);
    if placeholders.contains(value) {
        return Some(None);
    }
    if let Some(number) = value.strip_suffix(".0") {
        if !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit()) {
            return Some(Some(number));
        }
    }
    Some(Some(value))
}

/// `str.strip()` on ASCII text: Python also strips the information separators \x1c-\x1f.
pub fn python_strip(value: &str) -> &str {
    value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'))
}

/// `indexer.normalise.parse_text`: Some(None) for blank text, Some(Some(text)) otherwise, None when only Python
/// can tell (text made only of spaces some of which Python and Rust might class differently).
pub fn parse_text(value: &str) -> Option<Option<&str>> {
    let maybe_space = |c: char| c.is_whitespace() || matches!(c, '\x1c'..='\x1f' | '\u{180e}' | '\u{200b}' | '\u{feff}');
    if !value.chars().all(maybe_space) {
        return Some(Some(value));
    }
    let ascii_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f');
    value.chars().all(ascii_space).then_some(None)
}

/// `indexer.normalise.parse_time` (then `indexer.document.iso_format`) for the two published shapes
/// (`2017-06-22 16:03`, `2019-01-01 12:00:00`, or with a `T`) and for placeholders: the ISO 8601 string orjson
/// writes for the UTC moment. None for anything else, which the Python parser reads or rejects.
pub fn parse_time(value: &str, placeholders: &Placeholders) -> Option<Option<String>> {
    let bytes = value.as_bytes();
    let size = bytes.len();
    if !value.is_ascii() {
        return None;
    }
    if (size == 16 || (size == 19 && bytes[16] == b':')) && bytes[13] == b':' && (bytes[10] == b' ' || bytes[10] == b'T') {
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &value[range];
            part.bytes().all(|byte| byte.is_ascii_digit()).then(|| part.parse().ok()).flatten()
        };
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute) = (number(11..13)?, number(14..16)?);
        let second = if size == 19 { number(17..19)? } else { 0 };
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        return Some(Some(iso_utc(year.into(), month, day, [hour, minute, second].map(u128::from), 0)));
    }
    placeholders.contains(python_strip(value)).then_some(None)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `indexer.normalise.snowflake_time` (then `iso_format`): when a tweet with this id was posted; Some(None) for
/// ids that carry no time, None when only Python can tell.
pub fn snowflake_time(id: &str, snowflakes: Snowflakes) -> Option<Option<String>> {
    if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(None);
    }
    let Ok(number) = id.parse::<u128>() else { return None };
    if number < snowflakes.first_id {
        return Some(None);
    }
    let milliseconds = (number >> 22) + snowflakes.epoch_ms;
    let seconds = milliseconds / 1000;
    if seconds >= LATEST_SNOWFLAKE_SECONDS {
        return None;
    }
    let micros = (milliseconds % 1000) * 1000;
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    Some(Some(iso_utc(year, month, day, [rest / 3600, rest % 3600 / 60, rest % 60], micros)))
}

/// A UTC moment as orjson writes it: `2017-06-22T16:03:00+00:00`, with `.ffffff` only when there are microseconds.
fn iso_utc(year: i64, month: u32, day: u32, [hour, minute, second]: [u128; 3], micros: u128) -> String {
    let fraction = if micros == 0 { String::new() } else { format!(".{micros:06}") };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}+00:00")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// `indexer.normalise.retweeted_name`: the name in a leading `RT @name:` (1 to 15 name characters, then the colon).
pub fn retweeted_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("RT @")?;
    let run = rest.bytes().take_while(|&byte| is_name_byte(byte)).count();
    ((1..=15).contains(&run) && rest.as_bytes().get(run) == Some(&b':')).then(|| &rest[..run])
}

/// `indexer.normalise.mention_names`: each `@name` (not preceded by a name character or @, 1 to 15 name
/// characters, not followed by one or by @), lower-cased, each once in order.
pub fn mention_names(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut names: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&byte| byte == b'@') {
        let start = at + offset;
        at = start + 1;
        if start > 0 && (is_name_byte(bytes[start - 1]) || bytes[start - 1] == b'@') {
            continue;
        }
        let run = bytes[start + 1..].iter().take_while(|&&byte| is_name_byte(byte)).count();
        if run == 0 || run > 15 || bytes.get(start + 1 + run) == Some(&b'@') {
            continue;
        }
        let name = text[start + 1..start + 1 + run].to_ascii_lowercase();
        if !names.contains(&name) {
            names.push(name);
        }
        at = start + 1 + run;
    }
    names
}

/// `common.urls.tco_links`: each complete `http(s)://t.co/<id>` link (not cut short by `…`), as written, each
/// once in order.
pub fn tco_links(text: &str) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    if !text.contains("t.co/") {
        return links;
    }
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = text[at..].find("http") {
        let start = at + offset;
        at = start + 1;
        let rest = &text[start..];
        let prefix = if rest.starts_with("https://t.co/") {
            "https://t.co/".len()
        } else if rest.starts_with("http://t.co/") {
            "http://t.co/".len()
        } else {
            continue;
        };
        let run = bytes[start + prefix..].iter().take_while(|byte| byte.is_ascii_alphanumeric()).count();
        let end = start + prefix + run;
        if run == 0 || text[end..].starts_with('…') {
            continue;
        }
        let link = text[start..end].to_owned();
        if !links.contains(&link) {
            links.push(link);
        }
        at = end;
    }
    links
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The values the Python side hands over today (checked against Python by `tests/test_native.py`), for these
    /// tests only: the encoder is always given them.
    pub(crate) fn placeholders() -> Placeholders {
        Placeholders(["", "absent", "[]", "''", "\"\"", "None", "none", "null", "NULL", "nan", "NaN"].map(String::from).to_vec())
    }

    const SNOWFLAKES: Snowflakes = Snowflakes { epoch_ms: 1_288_834_974_657, first_id: 29_700_859_247 };

    #[test]
    fn ids() {
        let p = placeholders();
        assert_eq!(parse_id("877919995476496385", &p), Some(Some("877919995476496385")));
        assert_eq!(parse_id("877919995476496385.0", &p), Some(Some("877919995476496385")));
        assert_eq!(parse_id(" 42 \x1c", &p), Some(Some("42")));
        assert_eq!(parse_id("absent", &p), Some(None));
        assert_eq!(parse_id("", &p), Some(None));
        assert_eq!(parse_id("kPDnKz2Wf8y+BzV5/gUeGX1PA1qZ1n5t3IBc5vZlYyPc=", &p), Some(Some("kPDnKz2Wf8y+BzV5/gUeGX1PA1qZ1n5t3IBc5vZlYyPc=")));
        assert_eq!(parse_id(".0", &p), Some(Some(".0")));
        assert_eq!(parse_id("١٢٣", &p), None);
    }

    #[test]
    fn placeholders_are_the_ones_given() {
        let other = Placeholders(vec!["n/a".into()]);
        assert_eq!(parse_id("n/a", &other), Some(None));
        assert_eq!(parse_id("absent", &other), Some(Some("absent")));
        assert_eq!(parse_time("n/a", &other), Some(None));
        assert_eq!(parse_time("absent", &other), None);
    }

    #[test]
    fn texts() {
        assert_eq!(parse_text("hello"), Some(Some("hello")));
        assert_eq!(parse_text(""), Some(None));
        assert_eq!(parse_text(" \t\r\n\x1c"), Some(None));
        assert_eq!(parse_text("\u{a0}\u{2003}"), None);
        assert_eq!(parse_text("\u{200b}"), None);
        assert_eq!(parse_text(" x "), Some(Some(" x ")));
    }

    #[test]
    fn times_in_the_published_shapes() {
        let p = placeholders();
        assert_eq!(parse_time("2017-06-22 16:03", &p), Some(Some("2017-06-22T16:03:00+00:00".into())));
        assert_eq!(parse_time("2019-01-01T12:00:59", &p), Some(Some("2019-01-01T12:00:59+00:00".into())));
        assert_eq!(parse_time("2016-02-29 23:59:59", &p), Some(Some("2016-02-29T23:59:59+00:00".into())));
        assert_eq!(parse_time(" absent ", &p), Some(None));
        for odd in ["2017-02-30 10:00", "2017-06-22 24:00", "1900-02-29 00:00", "0000-01-01 00:00", "2017-06-22 16:03+03:00",
                    "2017/06/22 16:03", "2017-06-22 16:0x", "2017-06-22", "２017-06-22 16:03", "2017-6-22 16:03:0"] {
            assert_eq!(parse_time(odd, &p), None, "{odd}");
        }
    }

    #[test]
    fn snowflake_times() {
        assert_eq!(snowflake_time("877919995476496385", SNOWFLAKES), Some(Some("2017-06-22T16:03:32.543000+00:00".into())));
        assert_eq!(snowflake_time("29700859246", SNOWFLAKES), Some(None));
        assert_eq!(snowflake_time("abc", SNOWFLAKES), Some(None));
        assert_eq!(snowflake_time(&"9".repeat(30), SNOWFLAKES), None);
        assert_eq!(snowflake_time(&"9".repeat(40), SNOWFLAKES), None);
        let later = Snowflakes { epoch_ms: SNOWFLAKES.epoch_ms + 1000, ..SNOWFLAKES };
        assert_eq!(snowflake_time("877919995476496385", later), Some(Some("2017-06-22T16:03:33.543000+00:00".into())));
    }

    #[test]
    fn days_from_the_epoch() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn names_and_links_read_from_the_text() {
        assert_eq!(retweeted_name("RT @abcdefghijklmno: x"), Some("abcdefghijklmno"));
        assert_eq!(retweeted_name("RT @abcdefghijklmnop: x"), None);
        assert_eq!(retweeted_name("RT @no_colon here"), None);
        assert_eq!(
            mention_names("mail a@b.com @Good @good @x@y @@z @toolongnameistoolong _@no (@yes) @end"),
            ["good", "yes", "end"]
        );
        assert_eq!(
            tco_links("https://t.co/abc… http://t.co/XYZ9 https://t.co/abc https://t.co/ https://t.co/XYZ9 hhttps://t.co/Aa1"),
            ["http://t.co/XYZ9", "https://t.co/abc", "https://t.co/XYZ9", "https://t.co/Aa1"]
        );
    }
}
