//! The indexer's fast path: the rows of a tweets file in, their bulk index actions out, each document byte for
//! byte what `indexer.document.to_document` encoded with orjson would give.
//!
//! `Lines` reads the file after its header in large blocks; `TweetEncoder.take` reads runs of rows from it (joining
//! the lines of a quoted field that runs over line ends) and encodes them without a Python call per row. It only
//! takes the rows it can handle with certainty and stops before anything else, which the Python reader then
//! reads, types and rejects as always from the same `Lines`. What it leaves: CSV that is not well-formed, bad
//! UTF-8, NUL bytes, a wrong width, overlong lines and quoted fields that never close, non-ASCII ids and times,
//! times in other shapes, blank-looking text made of unusual spaces, and any column whose Python parser raises.
//!
//! Columns with few distinct values (the account columns, language, flags, counts, coordinates, hashtag, mention
//! and poll lists) are not parsed here at all: their JSON fragments come from Python callbacks, which run the
//! Python parsers, and are memoised by published string. The per-row work done here is the CSV split, ids, the
//! tweet time, the text and what is read from it (retweeted name, @names, t.co links), the URL lists (`urls.rs`,
//! with the Python callback for the rare lists it leaves), snowflake times and the `raw` object of published
//! strings.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::borrow::Cow;
use memchr::{memchr, memchr3};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::Arc;

mod urls;
use urls::UrlRules;

/// `indexer.normalise.PLACEHOLDERS`: how the releases write "no value" in structured columns.
const PLACEHOLDERS: [&str; 11] = ["", "absent", "[]", "''", "\"\"", "None", "none", "null", "NULL", "nan", "NaN"];
const TWITTER_EPOCH_MS: u128 = 1_288_834_974_657;
const FIRST_SNOWFLAKE_ID: u128 = 29_700_859_247;
/// Seconds since 1970 beyond which a snowflake time is declined (year 2096): a double's rounding of
/// `ms / 1000`, which Python's `fromtimestamp` sees, is then still far below half a microsecond.
const LATEST_SNOWFLAKE_SECONDS: u128 = 4_000_000_000;
/// How many rows `take` encodes in one call at most. It holds the interpreter meanwhile; the threads sending bulk
/// requests need it as soon as a request is answered, and get it between two calls.
const PAUSE_ROWS: usize = 250;
/// How many values one memo keeps before it starts over, as `indexer.normalise.MEMO_SIZE`.
const MEMO_SIZE: usize = 1 << 14;
/// `common.records.TWEET_COLUMNS`, in that order: the positions the constructor receives follow it.
const COLUMNS: usize = 31;

const TWEETID: usize = 0;
const ACCOUNT: std::ops::Range<usize> = 1..11;
const TWEET_LANGUAGE: usize = 11;
const TWEET_TEXT: usize = 12;
const TWEET_TIME: usize = 13;
const TWEET_CLIENT_NAME: usize = 14;
const IN_REPLY_TO_TWEETID: usize = 15;
const IN_REPLY_TO_USERID: usize = 16;
const QUOTED_TWEET_TWEETID: usize = 17;
const IS_RETWEET: usize = 18;
const RETWEET_USERID: usize = 19;
const RETWEET_TWEETID: usize = 20;
const LATITUDE: usize = 21;
const LONGITUDE: usize = 22;
const COUNTS: std::ops::Range<usize> = 23..27;
const HASHTAGS: usize = 27;
const URLS: usize = 28;
const USER_MENTIONS: usize = 29;
const POLL_CHOICES: usize = 30;

type Fragments = Arc<Vec<Vec<u8>>>;

/// A Python callback's answers by published string. `None` (the callback declined: its parser raised) is
/// kept too, so a bad value is not parsed again for each of its rows before Python rejects them.
struct Memo {
    callback: PyObject,
    answers: FxHashMap<String, Option<Fragments>>,
}

impl Memo {
    fn new(callback: PyObject) -> Self {
        Memo { callback, answers: FxHashMap::default() }
    }

    /// The fragments for `key`; on a miss, the callback is called with `args`.
    fn get<'py, A>(&mut self, py: Python<'py>, key: &str, args: impl FnOnce() -> A) -> PyResult<Option<Fragments>>
    where
        A: IntoPyObject<'py, Target = PyTuple>,
    {
        if let Some(found) = self.answers.get(key) {
            return Ok(found.clone());
        }
        let answer = self.callback.bind(py).call1(args())?;
        let fragments = if answer.is_none() {
            None
        } else {
            let parts = answer.downcast::<PyTuple>()?;
            let mut out = Vec::with_capacity(parts.len());
            for part in parts.iter() {
                out.push(part.downcast::<PyBytes>()?.as_bytes().to_vec());
            }
            Some(Arc::new(out))
        };
        if self.answers.len() >= MEMO_SIZE {
            self.answers.clear();
        }
        self.answers.insert(key.to_owned(), fragments.clone());
        Ok(fragments)
    }
}

/// One tweets file's encoder: `encode(row_bytes, quote_count)` gives `(tweetid, document)` or None.
#[pyclass(unsendable, module = "tweetsearch_native")]
struct TweetEncoder {
    width: usize,
    simple_length: usize,
    positions: [usize; COLUMNS],
    /// `"name":` for each header column, escaped, with the comma before it for all but the first.
    raw_keys: Vec<Vec<u8>>,
    /// `{"campaign":...,"source_file":...,`
    prefix: Vec<u8>,
    account: Memo,
    language: Memo,
    retweet_flag: Memo,
    latitude: Memo,
    longitude: Memo,
    counts: Vec<Memo>,
    hashtags: Memo,
    user_mentions: Memo,
    poll_choices: Memo,
    urls: Memo,
    url_rules: UrlRules,
    /// The run `take` is encoding: kept between calls, while it pauses and so that its memory is reused.
    body: Vec<u8>,
    ends: Vec<usize>,
    starts: Vec<usize>,
}

#[pymethods]
impl TweetEncoder {
    /// `columns`: the file's header; `positions`: where each of `TWEET_COLUMNS` sits in it; `prefix`: the
    /// document's opening; `simple_length`: the csv module's field size limit; `lookups`: the callbacks.
    #[new]
    fn new(
        columns: Vec<String>,
        positions: Vec<usize>,
        prefix: Vec<u8>,
        simple_length: usize,
        lookups: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let positions: [usize; COLUMNS] = positions
            .try_into()
            .map_err(|_| PyValueError::new_err(format!("expected {COLUMNS} column positions")))?;
        if positions.iter().any(|&position| position >= columns.len()) {
            return Err(PyValueError::new_err("a column position is outside the header"));
        }
        let raw_keys = columns
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let mut key = Vec::new();
                if index > 0 {
                    key.push(b',');
                }
                push_json_string(&mut key, name);
                key.push(b':');
                key
            })
            .collect();
        let callback = |name: &str| -> PyResult<Memo> { Ok(Memo::new(lookups.getattr(name)?.unbind())) };
        Ok(TweetEncoder {
            width: columns.len(),
            simple_length,
            positions,
            raw_keys,
            prefix,
            account: callback("account")?,
            language: callback("language")?,
            retweet_flag: callback("retweet_flag")?,
            latitude: callback("latitude")?,
            longitude: callback("longitude")?,
            counts: vec![
                callback("quote_count")?,
                callback("reply_count")?,
                callback("like_count")?,
                callback("retweet_count")?,
            ],
            hashtags: callback("hashtags")?,
            user_mentions: callback("user_mentions")?,
            poll_choices: callback("poll_choices")?,
            urls: callback("urls")?,
            url_rules: url_rules(lookups)?,
            body: Vec::new(),
            ends: Vec::new(),
            starts: Vec::new(),
        })
    }

    /// The index action and document of one logical row holding `quotes` quote bytes, or None to leave the row
    /// to the Python reader: for the rows the Python reader reads again after a runaway quote.
    fn encode<'py>(&mut self, py: Python<'py>, data: &[u8], quotes: usize) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let mut out = Vec::new();
        Ok(self.row(py, data, quotes, &mut out)?.then(|| PyBytes::new(py, &out)))
    }

    /// Encodes the rows at the start of `lines` (whose last line read was `lineno`) for as long as it can take
    /// them, up to `max_rows` rows: as `_RowSplitter.rows` does, it joins the lines of a row whose quoted field
    /// runs over line ends, passes over blank lines and the rows starting at or before line `skip`.
    ///
    /// It stops before the first row it leaves to the Python reader: a row it declines, a line longer than
    /// `max_row_bytes`, a quoted field still open after `max_row_bytes` or at the end of the data, a row of
    /// several lines at or before `skip`. Returns `(lineno, full, body, ends, starts)`: the last line taken,
    /// whether it stopped at `max_rows`, and the rows taken as bulk index actions (`{"index":{"_id":tweetid}}`
    /// then the document, each line ending in `\n`), where each ends in `body` and the line it starts on.
    /// After `PAUSE_ROWS` rows it returns `full` without a body: the run goes on at the next call.
    #[allow(clippy::type_complexity)]
    fn take<'py>(
        &mut self,
        py: Python<'py>,
        lines: &Bound<'py, Lines>,
        mut lineno: usize,
        skip: usize,
        max_rows: usize,
        max_row_bytes: usize,
    ) -> PyResult<(usize, bool, Option<Bound<'py, PyBytes>>, Vec<usize>, Vec<usize>)> {
        let mut lines = lines.borrow_mut();
        lines.compact();
        let mut body = std::mem::take(&mut self.body);
        let mut ends = std::mem::take(&mut self.ends);
        let mut starts = std::mem::take(&mut self.starts);
        let mut taken_now = 0;
        let full = loop {
            if ends.len() >= max_rows {
                break true;
            }
            if taken_now == PAUSE_ROWS {
                // The run stays open here until the next call: in between, other Python threads can run.
                (self.body, self.ends, self.starts) = (body, ends, starts);
                return Ok((lineno, true, None, Vec::new(), Vec::new()));
            }
            let row_start = lines.pos;
            let Some((row_end, quotes, row_lines)) = lines.next_row(py, max_row_bytes) else { break false };
            let first = lineno + 1;
            let data = &lines.buf[row_start..row_end];
            if row_lines == 1 && (first <= skip || (data.len() <= 2 && data.iter().all(|&byte| is_py_space(byte)))) {
                lines.pos = row_end;
                lineno = first;
                continue;
            }
            if first <= skip {
                break false;
            }
            if !self.row(py, data, quotes, &mut body)? {
                break false;
            }
            ends.push(body.len());
            starts.push(first);
            lines.pos = row_end;
            lineno += row_lines;
            taken_now += 1;
        };
        let taken = (!body.is_empty()).then(|| PyBytes::new(py, &body));
        body.clear();
        self.body = body;
        Ok((lineno, full, taken, ends, starts))
    }
}

/// The lines of a file after its header, read from a Python binary stream in large blocks: `TweetEncoder.take`
/// reads rows from them without Python, and the Python reader reads the rows it leaves with `readline`.
#[pyclass(unsendable, module = "tweetsearch_native")]
struct Lines {
    /// The stream's `read1` (one read of the stream beneath: where a compressed stream is damaged, the data before
    /// the damage still comes out), or `read` for a stream without it.
    read: PyObject,
    buf: Vec<u8>,
    /// Where the next line starts in `buf`.
    pos: usize,
    /// The stream has ended, or failed: then `error` holds its error, which `readline` raises in place of the
    /// line it cut short.
    ended: bool,
    error: Option<PyErr>,
}

#[pymethods]
impl Lines {
    #[new]
    fn new(stream: &Bound<'_, PyAny>) -> PyResult<Self> {
        let read = if stream.hasattr("read1")? { stream.getattr("read1")? } else { stream.getattr("read")? };
        Ok(Lines { read: read.unbind(), buf: Vec::new(), pos: 0, ended: false, error: None })
    }

    /// `readline(limit)` of a buffered binary stream: the next line with its line end, at most `limit` bytes, or
    /// empty at the end.
    fn readline<'py>(&mut self, py: Python<'py>, limit: usize) -> PyResult<Bound<'py, PyBytes>> {
        self.compact();
        let start = self.pos;
        let end = self.line_end(py, start, limit).unwrap_or(start);
        if end - start < limit && self.buf[start..end].last() != Some(&b'\n') {
            if let Some(error) = self.error.take() {
                return Err(error);
            }
        }
        self.pos = end;
        Ok(PyBytes::new(py, &self.buf[start..end]))
    }
}

impl Lines {
    const BLOCK: usize = 1 << 20;

    /// Drops the lines already read, once they are many: only between rows, as `take` holds offsets in `buf`.
    fn compact(&mut self) {
        if self.pos >= Self::BLOCK {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// Reads one more block onto the end of `buf`; false when the stream has ended or failed.
    fn fill(&mut self, py: Python<'_>) -> bool {
        if self.ended {
            return false;
        }
        let read = self.read.bind(py).call1((Self::BLOCK,));
        match read.and_then(|data| Ok(data.downcast_into::<PyBytes>()?)) {
            Ok(data) if !data.as_bytes().is_empty() => {
                self.buf.extend_from_slice(data.as_bytes());
                return true;
            }
            Ok(_) => {}
            Err(error) => self.error = Some(error),
        }
        self.ended = true;
        false
    }

    /// Where the line starting at `from` ends: after its `\n`, after `limit` bytes, or at the end of the data;
    /// None when no byte is left.
    fn line_end(&mut self, py: Python<'_>, from: usize, limit: usize) -> Option<usize> {
        let mut searched = from;
        loop {
            let window = self.buf.len().min(from + limit);
            if let Some(offset) = memchr(b'\n', &self.buf[searched..window]) {
                return Some(searched + offset + 1);
            }
            if window == from + limit {
                return Some(window);
            }
            searched = window;
            if !self.fill(py) {
                return (self.buf.len() > from).then_some(self.buf.len());
            }
        }
    }

    /// The logical row starting at `pos`, its lines joined while a quoted field runs over their ends: where it
    /// ends in `buf`, its quote count and how many lines it spans. None where the Python reader must judge: a
    /// quoted field still open after `max_row_bytes` or at the end of the data, or a line `whole_line` refuses.
    fn next_row(&mut self, py: Python<'_>, max_row_bytes: usize) -> Option<(usize, usize, usize)> {
        let limit = max_row_bytes + 1;
        let (mut end, mut quotes, mut count) = (self.pos, 0, 0);
        while count == 0 || quotes & 1 == 1 {
            if end - self.pos > max_row_bytes {
                return None;
            }
            let next = self.whole_line(py, end, limit)?;
            quotes += count_quotes(&self.buf[end..next]);
            end = next;
            count += 1;
        }
        Some((end, quotes, count))
    }

    /// `line_end` for a line `take` may read: None also for a line of `limit` bytes or more, and for one that the
    /// stream's failure cut short: the Python reader reports those.
    fn whole_line(&mut self, py: Python<'_>, from: usize, limit: usize) -> Option<usize> {
        let end = self.line_end(py, from, limit)?;
        let ends_line = self.buf[end - 1] == b'\n';
        let whole = if end - from == limit { ends_line } else { ends_line || self.error.is_none() };
        whole.then_some(end)
    }
}
impl TweetEncoder {
    /// Writes the index action and document of one logical row holding `quotes` quote bytes onto `out`;
    /// false (and nothing written) to leave the row to the Python reader.
    fn row(&mut self, py: Python<'_>, data: &[u8], quotes: usize, out: &mut Vec<u8>) -> PyResult<bool> {
        let Some(fields) = self.split(data, quotes) else { return Ok(false) };
        self.document(py, &fields, out)
    }

    /// `_RowSplitter._split`: the fields of one row, decoded. Only well-formed CSV is taken: each field either
    /// unquoted without quote or line break, or quoted from its first byte to a closing quote right before the
    /// comma or the row's end, with `""` for a quote inside. The csv module reads such rows the same way.
    fn split<'a>(&self, data: &'a [u8], quotes: usize) -> Option<Vec<Cow<'a, str>>> {
        if memchr(0, data).is_some() {
            return None;
        }
        let text = std::str::from_utf8(data).ok()?.trim_end_matches(['\r', '\n']);
        if text.len() >= self.simple_length || text.is_empty() {
            return None;
        }
        let mut fields: Vec<Cow<'a, str>> = Vec::with_capacity(self.width);
        if quotes == 0 {
            if text.contains('\r') {
                return None;
            }
            fields.extend(text.split(',').map(Cow::Borrowed));
            return (fields.len() == self.width).then_some(fields);
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        loop {
            if bytes.get(at) == Some(&b'"') {
                let start = at + 1;
                let mut piece = start;
                let mut unescaped: Option<String> = None;
                let close = loop {
                    let quote = piece + memchr(b'"', &bytes[piece..])?;
                    if bytes.get(quote + 1) != Some(&b'"') {
                        break quote;
                    }
                    unescaped.get_or_insert_with(String::new).push_str(&text[piece..=quote]);
                    piece = quote + 2;
                };
                fields.push(match unescaped {
                    Some(mut value) => {
                        value.push_str(&text[piece..close]);
                        Cow::Owned(value)
                    }
                    None => Cow::Borrowed(&text[start..close]),
                });
                at = close + 1;
            } else {
                let end = memchr(b',', &bytes[at..]).map_or(bytes.len(), |offset| at + offset);
                let field = &text[at..end];
                if memchr3(b'"', b'\r', b'\n', field.as_bytes()).is_some() {
                    return None;
                }
                fields.push(Cow::Borrowed(field));
                at = end;
            }
            match bytes.get(at) {
                None => break,
                Some(b',') => at += 1,
                Some(_) => return None,
            }
            if fields.len() > self.width {
                return None;
            }
        }
        (fields.len() == self.width).then_some(fields)
    }

    /// Writes the row's index action and document onto `out` (nothing when it declines the row).
    fn document(&mut self, py: Python<'_>, fields: &[Cow<'_, str>], out: &mut Vec<u8>) -> PyResult<bool> {
        let value = |column: usize| fields[self.positions[column]].as_ref();
        let Some(Some(tweetid)) = parse_id(value(TWEETID)) else { return Ok(false) };

        let account_values: Vec<&str> = ACCOUNT.map(value).collect();
        let Some(account) = self.account.get(py, &account_values.join("\0"), || (PyTuple::new(py, &account_values).unwrap(),))? else {
            return Ok(false);
        };
        // (the account's fields up to its language, its creation date, its language as parsed)
        let (account_main, account_date, account_language) = (&account[0], &account[1], &account[2]);

        let raw_language = value(TWEET_LANGUAGE);
        let account_language = std::str::from_utf8(account_language).unwrap_or("");
        let key = format!("{raw_language}\0{account_language}");
        let Some(language) = self.language.get(py, &key, || (raw_language, account_language))? else { return Ok(false) };
        // (the tweet_language fragment, the `lang` sub-field for the text)

        let Some(text) = parse_text(value(TWEET_TEXT)) else { return Ok(false) };
        let Some(tweet_time) = parse_time(value(TWEET_TIME)) else { return Ok(false) };
        let Some(client) = parse_text(value(TWEET_CLIENT_NAME)) else { return Ok(false) };
        let mut ids = [None; 5];
        for (slot, column) in ids.iter_mut().zip([IN_REPLY_TO_TWEETID, IN_REPLY_TO_USERID, QUOTED_TWEET_TWEETID, RETWEET_USERID, RETWEET_TWEETID]) {
            let Some(id) = parse_id(value(column)) else { return Ok(false) };
            *slot = id;
        }
        let [in_reply_to_tweetid, in_reply_to_userid, quoted_tweet_tweetid, retweet_userid, retweet_tweetid] = ids;
        let retweeted_screen_name = text.and_then(retweeted_name);
        let Some(flag) = self.retweet_flag.get(py, value(IS_RETWEET), || (value(IS_RETWEET),))? else { return Ok(false) };
        let is_retweet = flag[0] == b"true" || retweeted_screen_name.is_some();
        let Some(latitude) = self.latitude.get(py, value(LATITUDE), || (value(LATITUDE),))? else { return Ok(false) };
        let Some(longitude) = self.longitude.get(py, value(LONGITUDE), || (value(LONGITUDE),))? else { return Ok(false) };
        let mut counts = Vec::with_capacity(4);
        for (memo, column) in self.counts.iter_mut().zip(COUNTS) {
            let Some(count) = memo.get(py, value(column), || (value(column),))? else { return Ok(false) };
            counts.push(count);
        }
        let Some(retweeted_time) = retweet_tweetid.map_or(Some(None), snowflake_time) else { return Ok(false) };
        let Some(quoted_time) = quoted_tweet_tweetid.map_or(Some(None), snowflake_time) else { return Ok(false) };
        let Some(hashtags) = self.hashtags.get(py, value(HASHTAGS), || (value(HASHTAGS),))? else { return Ok(false) };
        let Some(mentions) = self.user_mentions.get(py, value(USER_MENTIONS), || (value(USER_MENTIONS),))? else { return Ok(false) };
        let Some(polls) = self.poll_choices.get(py, value(POLL_CHOICES), || (value(POLL_CHOICES),))? else { return Ok(false) };
        let native_urls = self.url_rules.fragments(value(URLS));
        let memo_urls;
        let urls: &[Vec<u8>] = match &native_urls {
            Some(fragments) => fragments,
            None => {
                let Some(found) = self.urls.get(py, value(URLS), || (value(URLS),))? else { return Ok(false) };
                memo_urls = found;
                &memo_urls
            }
        };
        // (url_hosts and url_domains, then urls)

        let mut escaped_text = Vec::new();
        if let Some(text) = text {
            push_json_string(&mut escaped_text, text);
        }
        out.extend_from_slice(b"{\"index\":{\"_id\":");
        push_json_string(out, tweetid);
        out.extend_from_slice(b"}}\n");
        out.extend_from_slice(&self.prefix);
        push_key_string(out, "tweetid", tweetid);
        out.extend_from_slice(account_main);
        out.extend_from_slice(&language[0]);
        if text.is_some() {
            out.extend_from_slice(b"\"tweet_text\":");
            out.extend_from_slice(&escaped_text);
            out.push(b',');
        }
        if let Some(client) = client {
            push_key_string(out, "tweet_client_name", client);
        }
        for (key, id) in [("in_reply_to_tweetid", in_reply_to_tweetid), ("in_reply_to_userid", in_reply_to_userid), ("quoted_tweet_tweetid", quoted_tweet_tweetid)] {
            if let Some(id) = id {
                push_key_string(out, key, id);
            }
        }
        out.extend_from_slice(if is_retweet { b"\"is_retweet\":true," } else { b"\"is_retweet\":false," });
        for (key, id) in [("retweet_userid", retweet_userid), ("retweet_tweetid", retweet_tweetid), ("retweeted_screen_name", retweeted_screen_name)] {
            if let Some(id) = id {
                push_key_string(out, key, id);
            }
        }
        for count in &counts {
            out.extend_from_slice(&count[0]);
        }
        out.extend_from_slice(account_date);
        for (key, time) in [("tweet_time", &tweet_time), ("retweeted_time", &retweeted_time), ("quoted_time", &quoted_time)] {
            if let Some(time) = time {
                push_key_string(out, key, time);
            }
        }
        out.extend_from_slice(&hashtags[0]);
        out.extend_from_slice(&mentions[0]);
        if let Some(text) = text {
            push_key_list(out, "mention_names", &mention_names(text));
        }
        out.extend_from_slice(&urls[0]);
        if let Some(text) = text {
            push_key_list(out, "tco_links", &tco_links(text));
        }
        out.extend_from_slice(&polls[0]);
        out.extend_from_slice(&urls[1]);
        if text.is_some() {
            out.extend_from_slice(b"\"lang\":{\"");
            out.extend_from_slice(&language[1]);
            out.extend_from_slice(b"\":");
            out.extend_from_slice(&escaped_text);
            out.extend_from_slice(b"},");
        }
        if !latitude[0].is_empty() && !longitude[0].is_empty() {
            out.extend_from_slice(b"\"location\":{\"lat\":");
            out.extend_from_slice(&latitude[0]);
            out.extend_from_slice(b",\"lon\":");
            out.extend_from_slice(&longitude[0]);
            out.extend_from_slice(b"},");
        }
        out.extend_from_slice(b"\"raw\":{");
        for (column, (key, field)) in self.raw_keys.iter().zip(fields.iter()).enumerate() {
            out.extend_from_slice(key);
            if column == self.positions[TWEET_TEXT] && text.is_some() {
                out.extend_from_slice(&escaped_text);
            } else {
                push_json_string(out, field);
            }
        }
        out.extend_from_slice(b"}}\n");
        Ok(true)
    }
}

/// The rules of `common.urls`, as `lookups.url_rules` holds them: multi-part suffixes, tracking parameters,
/// tracking prefixes, default ports by scheme.
fn url_rules(lookups: &Bound<'_, PyAny>) -> PyResult<UrlRules> {
    let (suffixes, params, prefixes, ports): (Vec<String>, Vec<String>, Vec<String>, HashMap<String, String>) =
        lookups.getattr("url_rules")?.extract()?;
    Ok(UrlRules {
        multi_part_suffixes: suffixes.into_iter().collect(),
        tracking_params: params.into_iter().collect(),
        tracking_prefixes: prefixes,
        default_ports: ports.into_iter().collect(),
    })
}

fn count_quotes(data: &[u8]) -> usize {
    memchr::memchr_iter(b'"', data).count()
}

/// `bytes.isspace()` for one byte: the ASCII spaces and \x0b.
fn is_py_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// `parse_id`: Some(None) for no id, Some(Some(id)) for an id, None when only Python can tell (non-ASCII).
fn parse_id(value: &str) -> Option<Option<&str>> {
    if !value.is_ascii() {
        return None;
    }
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(Some(value));
    }
    let value = python_strip(value);
    if PLACEHOLDERS.contains(&value) {
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
fn python_strip(value: &str) -> &str {
    value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'))
}

/// `parse_text`: Some(None) for blank text, Some(Some(text)) otherwise, None when only Python can tell
/// (text made only of spaces some of which Python and Rust might class differently).
fn parse_text(value: &str) -> Option<Option<&str>> {
    let maybe_space = |c: char| c.is_whitespace() || matches!(c, '\x1c'..='\x1f' | '\u{180e}' | '\u{200b}' | '\u{feff}');
    if !value.chars().all(maybe_space) {
        return Some(Some(value));
    }
    let ascii_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f');
    value.chars().all(ascii_space).then_some(None)
}

/// `parse_time` for the two published shapes (`2017-06-22 16:03`, `2019-01-01 12:00:00`, or with a `T`) and
/// for placeholders, as the ISO 8601 string orjson writes for the UTC moment. None for anything else.
fn parse_time(value: &str) -> Option<Option<String>> {
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
    PLACEHOLDERS.contains(&python_strip(value)).then_some(None)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `snowflake_time`: when a tweet with this id was posted; Some(None) for ids that carry no time.
fn snowflake_time(id: &str) -> Option<Option<String>> {
    if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(None);
    }
    let Ok(number) = id.parse::<u128>() else { return None };
    if number < FIRST_SNOWFLAKE_ID {
        return Some(None);
    }
    let milliseconds = (number >> 22) + TWITTER_EPOCH_MS;
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

/// `retweeted_name`: the name in a leading `RT @name:` (1 to 15 name characters, then the colon).
fn retweeted_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("RT @")?;
    let run = rest.bytes().take_while(|&byte| is_name_byte(byte)).count();
    ((1..=15).contains(&run) && rest.as_bytes().get(run) == Some(&b':')).then(|| &rest[..run])
}

/// `mention_names`: each `@name` (not preceded by a name character or @, 1 to 15 name characters, not
/// followed by one or by @), lower-cased, each once in order.
fn mention_names(text: &str) -> Vec<String> {
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

/// `tco_links`: each complete `http(s)://t.co/<id>` link (not cut short by `…`), as written, each once in order.
fn tco_links(text: &str) -> Vec<String> {
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

fn push_key_string(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    push_json_string(out, value);
    out.push(b',');
}

/// A list field, left out when empty (as `to_document` leaves out empty lists).
fn push_key_list(out: &mut Vec<u8>, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":[");
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        push_json_string(out, value);
    }
    out.extend_from_slice(b"],");
}

/// A JSON string as orjson writes it: `"` and `\` escaped, control characters as \b \t \n \f \r or \u00XX,
/// everything else (DEL, non-ASCII) as is.
fn push_json_string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut plain = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Eight bytes at a time while none of them needs escaping: most text has nothing to escape.
        if at + 8 <= bytes.len() {
            let word = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
            if !needs_escape(word) {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        if byte < 0x20 || byte == b'"' || byte == b'\\' {
            out.extend_from_slice(&bytes[plain..at]);
            push_escape(out, byte);
            plain = at + 1;
        }
        at += 1;
    }
    out.extend_from_slice(&bytes[plain..]);
    out.push(b'"');
}

/// Whether any byte of `word` is a control character, `"` or `\` (exact: no false negatives).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |value: u64| value.wrapping_sub(ONES) & !value & HIGHS != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
    below_space || has_zero(word ^ (ONES * u64::from(b'"'))) || has_zero(word ^ (ONES * u64::from(b'\\')))
}

fn push_escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match byte {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\x08' => out.extend_from_slice(b"\\b"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\x0c' => out.extend_from_slice(b"\\f"),
        b'\r' => out.extend_from_slice(b"\\r"),
        _ => out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]),
    }
}

#[pymodule]
fn tweetsearch_native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<TweetEncoder>()?;
    module.add_class::<Lines>()?;
    // What `indexer.native` expects of this module; it leaves a module built from older sources unused.
    module.add("API", 2)?;
    Ok(())
}
