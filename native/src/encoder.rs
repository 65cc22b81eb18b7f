//! The encoder: the rows of a tweets file in, their bulk index actions out, each document byte for byte what
//! `orjson.dumps(indexer.document.to_document(record))` gives for the record `indexer.normalise.TweetRowNormaliser`
//! makes of the row.
//!
//! Everything the Python side also holds is handed over by `indexer.native.row_encoder` when the encoder is made
//! (`Given`): the placeholders, the snowflake constants, the memo size, where each column sits in the header (by
//! name), the account columns, the document's keys in their order, and the URL rules. Rust holds no copy of them;
//! it knows only which document key each of its computations fills, by name.
//!
//! Columns with few distinct values (the account columns, language, flags, counts, coordinates, hashtag, mention
//! and poll lists) are not parsed here at all: their JSON fragments come from Python callbacks, which run the
//! Python parsers, and are memoised by published string. The per-row work done here is the CSV split, ids, the
//! tweet time, the text and what is read from it (retweeted name, @names, t.co links), the URL lists (`urls.rs`,
//! with the Python callback for the rare lists it leaves), snowflake times and the `raw` object.

use crate::csv::split_fields;
use crate::json::{push_json_string, push_key_list, push_key_string};
use crate::lines::Lines;
use crate::parsers::{
    is_py_space, mention_names, parse_id, parse_text, parse_time, retweeted_name, snowflake_time, tco_links, Placeholders,
    Snowflakes,
};
use crate::urls::UrlRules;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// How many rows `take` encodes in one call at most. It holds the interpreter meanwhile; the threads sending bulk
/// requests need it as soon as a request is answered, and get it between two calls. (A pacing of this encoder
/// only: the Python reader has no such constant.)
const PAUSE_ROWS: usize = 250;

/// What `indexer.native.row_encoder` hands the encoder: see `indexer.native.encoder_constants`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Given {
    /// `indexer.normalise.PLACEHOLDERS`.
    placeholders: Vec<String>,
    /// `indexer.normalise.TWITTER_EPOCH_MS` and `FIRST_SNOWFLAKE_ID`.
    snowflakes: (u64, u64),
    /// `indexer.normalise.MEMO_SIZE`.
    memo_size: usize,
    /// Each of `common.records.TWEET_COLUMNS`: where it sits in the file's header.
    positions: HashMap<String, usize>,
    /// `common.records.ACCOUNT_COLUMNS`: the order of the values the `account` callback takes and of the
    /// fragments it returns.
    account_columns: Vec<String>,
    /// (column, document key): the columns read through a callback (named after the key) that returns that key's
    /// fragment. One column may feed two keys (`hashtags` and `hashtag_set`).
    memo_columns: Vec<(String, String)>,
    /// `indexer.document.DOCUMENT_KEYS`: the document's keys, in the order `to_document` writes them.
    document_keys: Vec<String>,
    /// Document fields that are the same on every row of the file (campaign, source file): key, value.
    fixed: Vec<(String, String)>,
    /// The rules of `common.urls`: multi-part suffixes, tracking parameters, tracking prefixes, default ports.
    url_rules: (Vec<String>, Vec<String>, Vec<String>, HashMap<String, String>),
}

type Fragments = Arc<Vec<Vec<u8>>>;

/// A Python callback's answers by published string, as `indexer.normalise._Memo` keeps a parser's. `None` (the
/// callback declined: its parser raised) is kept too, so a bad value is not parsed again for each of its rows
/// before Python rejects them.
struct Memo {
    callback: PyObject,
    size: usize,
    answers: FxHashMap<String, Option<Fragments>>,
}

impl Memo {
    fn new(callback: PyObject, size: usize) -> Self {
        Memo { callback, size, answers: FxHashMap::default() }
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
        if self.answers.len() >= self.size {
            self.answers.clear();
        }
        self.answers.insert(key.to_owned(), fragments.clone());
        Ok(fragments)
    }
}

/// A column read through a memoised callback whose one fragment is one document field (`Given::memo_columns`).
struct MemoColumn {
    position: usize,
    slot: usize,
    memo: Memo,
}

/// Where each column the encoder reads itself sits in the header.
struct Positions {
    tweetid: usize,
    account: Vec<usize>,
    tweet_language: usize,
    tweet_text: usize,
    tweet_time: usize,
    tweet_client_name: usize,
    in_reply_to_tweetid: usize,
    in_reply_to_userid: usize,
    quoted_tweet_tweetid: usize,
    is_retweet: usize,
    retweet_userid: usize,
    retweet_tweetid: usize,
    latitude: usize,
    longitude: usize,
    urls: usize,
}

/// Where each field the encoder writes goes in `document_keys`.
struct Slots {
    tweetid: usize,
    account: Vec<usize>,
    tweet_language: usize,
    tweet_text: usize,
    tweet_client_name: usize,
    in_reply_to_tweetid: usize,
    in_reply_to_userid: usize,
    quoted_tweet_tweetid: usize,
    is_retweet: usize,
    is_reply: usize,
    has_links: usize,
    retweet_userid: usize,
    retweet_tweetid: usize,
    retweeted_screen_name: usize,
    tweet_time: usize,
    retweeted_time: usize,
    quoted_time: usize,
    mention_names: usize,
    url_hosts: usize,
    url_domains: usize,
    tco_links: usize,
    urls: usize,
    lang: usize,
    location: usize,
    raw: usize,
}

/// One tweets file's encoder: `encode(row_bytes, quote_count)` gives the index action and document, or None.
#[pyclass(unsendable, module = "tweetsearch_native")]
pub struct TweetEncoder {
    width: usize,
    simple_length: usize,
    placeholders: Placeholders,
    snowflakes: Snowflakes,
    memo_size: usize,
    columns: Vec<String>,
    positions: Positions,
    account_columns: Vec<String>,
    document_keys: Vec<String>,
    slots: Slots,
    /// The fields every row of the file has: their slot and `"key":"value",`.
    fixed: Vec<(usize, Vec<u8>)>,
    /// `"name":` for each header column, escaped, with the comma before it for all but the first.
    raw_keys: Vec<Vec<u8>>,
    account: Memo,
    language: Memo,
    retweet_flag: Memo,
    latitude: Memo,
    longitude: Memo,
    memo_columns: Vec<MemoColumn>,
    urls: Memo,
    url_rules: UrlRules,
    /// One row's fields, each written once into `scratch` at `spans[slot]`, then copied out in key order.
    scratch: Vec<u8>,
    spans: Vec<(usize, usize)>,
    escaped_text: Vec<u8>,
    /// The run `take` is encoding: kept between calls, while it pauses and so that its memory is reused.
    body: Vec<u8>,
    ends: Vec<usize>,
    starts: Vec<usize>,
}

#[pymethods]
impl TweetEncoder {
    /// `columns`: the file's header; `simple_length`: the csv module's field size limit; `lookups`: the callbacks
    /// (`indexer.native._Lookups`); `given`: the constants of the Python side (`indexer.native.encoder_constants`).
    #[new]
    fn new(columns: Vec<String>, simple_length: usize, lookups: &Bound<'_, PyAny>, given: Given) -> PyResult<Self> {
        let error = |message: String| PyValueError::new_err(message);
        let position = |name: &str| -> PyResult<usize> {
            match given.positions.get(name) {
                Some(&at) if at < columns.len() && columns[at] == name => Ok(at),
                Some(_) => Err(error(format!("the position given for column {name:?} is not where the header has it"))),
                None => Err(error(format!("no position given for column {name:?}"))),
            }
        };
        let mut filled = vec![false; given.document_keys.len()];
        let mut slot = |name: &str| -> PyResult<usize> {
            let at = given
                .document_keys
                .iter()
                .position(|key| key == name)
                .ok_or_else(|| error(format!("the document keys lack {name:?}")))?;
            if std::mem::replace(&mut filled[at], true) {
                return Err(error(format!("the document key {name:?} is written twice")));
            }
            Ok(at)
        };
        let memo = |name: &str| -> PyResult<Memo> { Ok(Memo::new(lookups.getattr(name)?.unbind(), given.memo_size)) };

        let positions = Positions {
            tweetid: position("tweetid")?,
            account: given.account_columns.iter().map(|name| position(name)).collect::<PyResult<_>>()?,
            tweet_language: position("tweet_language")?,
            tweet_text: position("tweet_text")?,
            tweet_time: position("tweet_time")?,
            tweet_client_name: position("tweet_client_name")?,
            in_reply_to_tweetid: position("in_reply_to_tweetid")?,
            in_reply_to_userid: position("in_reply_to_userid")?,
            quoted_tweet_tweetid: position("quoted_tweet_tweetid")?,
            is_retweet: position("is_retweet")?,
            retweet_userid: position("retweet_userid")?,
            retweet_tweetid: position("retweet_tweetid")?,
            latitude: position("latitude")?,
            longitude: position("longitude")?,
            urls: position("urls")?,
        };
        let mut memo_columns = Vec::new();
        for (column, key) in &given.memo_columns {
            memo_columns.push(MemoColumn { position: position(column)?, slot: slot(key)?, memo: memo(key)? });
        }
        let mut fixed = Vec::new();
        for (key, value) in &given.fixed {
            let mut fragment = Vec::new();
            push_key_string(&mut fragment, key, value);
            fixed.push((slot(key)?, fragment));
        }
        let slots = Slots {
            tweetid: slot("tweetid")?,
            account: given.account_columns.iter().map(|name| slot(name)).collect::<PyResult<_>>()?,
            tweet_language: slot("tweet_language")?,
            tweet_text: slot("tweet_text")?,
            tweet_client_name: slot("tweet_client_name")?,
            in_reply_to_tweetid: slot("in_reply_to_tweetid")?,
            in_reply_to_userid: slot("in_reply_to_userid")?,
            quoted_tweet_tweetid: slot("quoted_tweet_tweetid")?,
            is_retweet: slot("is_retweet")?,
            is_reply: slot("is_reply")?,
            has_links: slot("has_links")?,
            retweet_userid: slot("retweet_userid")?,
            retweet_tweetid: slot("retweet_tweetid")?,
            retweeted_screen_name: slot("retweeted_screen_name")?,
            tweet_time: slot("tweet_time")?,
            retweeted_time: slot("retweeted_time")?,
            quoted_time: slot("quoted_time")?,
            mention_names: slot("mention_names")?,
            url_hosts: slot("url_hosts")?,
            url_domains: slot("url_domains")?,
            tco_links: slot("tco_links")?,
            urls: slot("urls")?,
            lang: slot("lang")?,
            location: slot("location")?,
            raw: slot("raw")?,
        };
        if let Some(unknown) = filled.iter().position(|&done| !done) {
            return Err(error(format!("the native encoder does not write the document key {:?}", given.document_keys[unknown])));
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
        let (suffixes, params, prefixes, ports) = given.url_rules;
        Ok(TweetEncoder {
            width: columns.len(),
            simple_length,
            placeholders: Placeholders(given.placeholders),
            snowflakes: Snowflakes { epoch_ms: given.snowflakes.0.into(), first_id: given.snowflakes.1.into() },
            memo_size: given.memo_size,
            columns,
            positions,
            account_columns: given.account_columns,
            spans: vec![(0, 0); given.document_keys.len()],
            document_keys: given.document_keys,
            slots,
            fixed,
            raw_keys,
            account: memo("account")?,
            language: memo("language")?,
            retweet_flag: memo("retweet_flag")?,
            latitude: memo("latitude")?,
            longitude: memo("longitude")?,
            memo_columns,
            urls: memo("urls")?,
            url_rules: UrlRules {
                multi_part_suffixes: suffixes.into_iter().collect(),
                tracking_params: params.into_iter().collect(),
                tracking_prefixes: prefixes,
                default_ports: ports.into_iter().collect(),
            },
            scratch: Vec::new(),
            escaped_text: Vec::new(),
            body: Vec::new(),
            ends: Vec::new(),
            starts: Vec::new(),
        })
    }

    /// The constants the encoder works with, as it holds them (the same names as the `given` it was made with):
    /// so a test can check they are the Python side's.
    #[getter]
    fn given<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let given = PyDict::new(py);
        given.set_item("placeholders", &self.placeholders.0)?;
        given.set_item("snowflakes", (self.snowflakes.epoch_ms as u64, self.snowflakes.first_id as u64))?;
        given.set_item("memo_size", self.memo_size)?;
        let p = &self.positions;
        let mut positions: Vec<(&str, usize)> = vec![
            ("tweetid", p.tweetid),
            ("tweet_language", p.tweet_language),
            ("tweet_text", p.tweet_text),
            ("tweet_time", p.tweet_time),
            ("tweet_client_name", p.tweet_client_name),
            ("in_reply_to_tweetid", p.in_reply_to_tweetid),
            ("in_reply_to_userid", p.in_reply_to_userid),
            ("quoted_tweet_tweetid", p.quoted_tweet_tweetid),
            ("is_retweet", p.is_retweet),
            ("retweet_userid", p.retweet_userid),
            ("retweet_tweetid", p.retweet_tweetid),
            ("latitude", p.latitude),
            ("longitude", p.longitude),
            ("urls", p.urls),
        ];
        positions.extend(self.account_columns.iter().map(String::as_str).zip(p.account.iter().copied()));
        positions.extend(self.memo_columns.iter().map(|column| (self.columns[column.position].as_str(), column.position)));
        given.set_item("positions", positions.into_iter().collect::<HashMap<_, _>>())?;
        given.set_item("account_columns", &self.account_columns)?;
        given.set_item("document_keys", &self.document_keys)?;
        Ok(given)
    }

    /// The index action and document of one logical row holding `quotes` quote bytes, or None to leave the row
    /// to the Python reader: for the rows the Python reader reads again after a runaway quote.
    fn encode<'py>(&mut self, py: Python<'py>, data: &[u8], quotes: usize) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let mut out = Vec::new();
        Ok(self.row(py, data, quotes, &mut out)?.then(|| PyBytes::new(py, &out)))
    }

    /// Encodes the rows at the start of `lines` (whose last line read was `lineno`) for as long as it can take
    /// them, up to `max_rows` rows: as `indexer.archive._RowSplitter.rows` does, it joins the lines of a row whose
    /// quoted field runs over line ends, passes over blank lines and the rows starting at or before line `skip`.
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

impl TweetEncoder {
    /// Writes the index action and document of one logical row holding `quotes` quote bytes onto `out`;
    /// false (and nothing written) to leave the row to the Python reader.
    fn row(&mut self, py: Python<'_>, data: &[u8], quotes: usize, out: &mut Vec<u8>) -> PyResult<bool> {
        let Some(fields) = split_fields(data, quotes, self.width, self.simple_length) else { return Ok(false) };
        self.document(py, &fields, out)
    }

    /// `TweetRowNormaliser.__call__` then `to_document` and `orjson.dumps`: writes the row's index action and
    /// document onto `out` (nothing when it declines the row).
    fn document(&mut self, py: Python<'_>, fields: &[Cow<'_, str>], out: &mut Vec<u8>) -> PyResult<bool> {
        let p = &self.positions;
        let value = |position: usize| fields[position].as_ref();
        let ph = &self.placeholders;
        let Some(Some(tweetid)) = parse_id(value(p.tweetid), ph) else { return Ok(false) };

        let account_values: Vec<&str> = p.account.iter().map(|&at| value(at)).collect();
        let Some(account) = self.account.get(py, &account_values.join("\0"), || (PyTuple::new(py, &account_values).unwrap(),))? else {
            return Ok(false);
        };
        // (a fragment for each account column, then the account's language as parsed)
        let account_language = std::str::from_utf8(&account[account.len() - 1]).unwrap_or("");

        let raw_language = value(p.tweet_language);
        let key = format!("{raw_language}\0{account_language}");
        let Some(language) = self.language.get(py, &key, || (raw_language, account_language))? else { return Ok(false) };
        // (the tweet_language fragment, the `lang` sub-field for the text)

        let Some(text) = parse_text(value(p.tweet_text)) else { return Ok(false) };
        let Some(tweet_time) = parse_time(value(p.tweet_time), ph) else { return Ok(false) };
        let Some(client) = parse_text(value(p.tweet_client_name)) else { return Ok(false) };
        let mut ids = [None; 5];
        for (slot, position) in ids.iter_mut().zip([p.in_reply_to_tweetid, p.in_reply_to_userid, p.quoted_tweet_tweetid, p.retweet_userid, p.retweet_tweetid]) {
            let Some(id) = parse_id(value(position), ph) else { return Ok(false) };
            *slot = id;
        }
        let [in_reply_to_tweetid, in_reply_to_userid, quoted_tweet_tweetid, retweet_userid, retweet_tweetid] = ids;
        let retweeted_screen_name = text.and_then(retweeted_name);
        let flag_value = value(p.is_retweet);
        let Some(flag) = self.retweet_flag.get(py, flag_value, || (flag_value,))? else { return Ok(false) };
        let is_retweet = flag[0] == b"true" || retweeted_screen_name.is_some();
        let (latitude_value, longitude_value) = (value(p.latitude), value(p.longitude));
        let Some(latitude) = self.latitude.get(py, latitude_value, || (latitude_value,))? else { return Ok(false) };
        let Some(longitude) = self.longitude.get(py, longitude_value, || (longitude_value,))? else { return Ok(false) };
        let mut memo_fragments = Vec::with_capacity(self.memo_columns.len());
        for column in self.memo_columns.iter_mut() {
            let published = fields[column.position].as_ref();
            let Some(fragments) = column.memo.get(py, published, || (published,))? else { return Ok(false) };
            memo_fragments.push((column.slot, fragments));
        }
        let Some(retweeted_time) = retweet_tweetid.map_or(Some(None), |id| snowflake_time(id, self.snowflakes)) else { return Ok(false) };
        let Some(quoted_time) = quoted_tweet_tweetid.map_or(Some(None), |id| snowflake_time(id, self.snowflakes)) else { return Ok(false) };
        let urls_value = value(p.urls);
        let native_urls = self.url_rules.fragments(urls_value, ph);
        let memo_urls;
        let urls: &[Vec<u8>] = match &native_urls {
            Some(fragments) => fragments,
            None => {
                let Some(found) = self.urls.get(py, urls_value, || (urls_value,))? else { return Ok(false) };
                memo_urls = found;
                &memo_urls
            }
        };
        // (url_hosts, url_domains, urls)

        // Each field into `scratch`, then all of them onto `out` in the order of the document's keys.
        let s = &self.slots;
        let scratch = &mut self.scratch;
        let spans = &mut self.spans;
        scratch.clear();
        spans.fill((0, 0));
        let mut put = |slot: usize, write: &dyn Fn(&mut Vec<u8>)| {
            let start = scratch.len();
            write(scratch);
            spans[slot] = (start, scratch.len());
        };
        let escaped_text = &mut self.escaped_text;
        escaped_text.clear();
        if let Some(text) = text {
            push_json_string(escaped_text, text);
        }
        let escaped_text = &*escaped_text;
        for (slot, fragment) in &self.fixed {
            put(*slot, &|out| out.extend_from_slice(fragment));
        }
        put(s.tweetid, &|out| push_key_string(out, "tweetid", tweetid));
        for (slot, fragment) in s.account.iter().zip(account.iter()) {
            put(*slot, &|out| out.extend_from_slice(fragment));
        }
        put(s.tweet_language, &|out| out.extend_from_slice(&language[0]));
        if text.is_some() {
            put(s.tweet_text, &|out| {
                out.extend_from_slice(b"\"tweet_text\":");
                out.extend_from_slice(escaped_text);
                out.push(b',');
            });
            put(s.lang, &|out| {
                out.extend_from_slice(b"\"lang\":{\"");
                out.extend_from_slice(&language[1]);
                out.extend_from_slice(b"\":");
                out.extend_from_slice(escaped_text);
                out.extend_from_slice(b"},");
            });
        }
        for (slot, key, found) in [
            (s.tweet_client_name, "tweet_client_name", client),
            (s.in_reply_to_tweetid, "in_reply_to_tweetid", in_reply_to_tweetid),
            (s.in_reply_to_userid, "in_reply_to_userid", in_reply_to_userid),
            (s.quoted_tweet_tweetid, "quoted_tweet_tweetid", quoted_tweet_tweetid),
            (s.retweet_userid, "retweet_userid", retweet_userid),
            (s.retweet_tweetid, "retweet_tweetid", retweet_tweetid),
            (s.retweeted_screen_name, "retweeted_screen_name", retweeted_screen_name),
        ] {
            if let Some(found) = found {
                put(slot, &|out| push_key_string(out, key, found));
            }
        }
        for (slot, key, found) in [
            (s.tweet_time, "tweet_time", &tweet_time),
            (s.retweeted_time, "retweeted_time", &retweeted_time),
            (s.quoted_time, "quoted_time", &quoted_time),
        ] {
            if let Some(found) = found {
                put(slot, &|out| push_key_string(out, key, found));
            }
        }
        put(s.is_retweet, &|out| out.extend_from_slice(if is_retweet { b"\"is_retweet\":true," } else { b"\"is_retweet\":false," }));
        // Written for every row, as `indexer.document.to_document` does: a positive filter for their negations.
        let is_reply = in_reply_to_tweetid.is_some();
        put(s.is_reply, &|out| out.extend_from_slice(if is_reply { b"\"is_reply\":true," } else { b"\"is_reply\":false," }));
        let links_in_text = text.map(tco_links).unwrap_or_default();
        let has_links = !urls[2].is_empty() || !links_in_text.is_empty();
        put(s.has_links, &|out| out.extend_from_slice(if has_links { b"\"has_links\":true," } else { b"\"has_links\":false," }));
        for (slot, fragments) in &memo_fragments {
            put(*slot, &|out| out.extend_from_slice(&fragments[0]));
        }
        if let Some(text) = text {
            put(s.mention_names, &|out| push_key_list(out, "mention_names", &mention_names(text)));
            put(s.tco_links, &|out| push_key_list(out, "tco_links", &links_in_text));
        }
        put(s.url_hosts, &|out| out.extend_from_slice(&urls[0]));
        put(s.url_domains, &|out| out.extend_from_slice(&urls[1]));
        put(s.urls, &|out| out.extend_from_slice(&urls[2]));
        if !latitude[0].is_empty() && !longitude[0].is_empty() {
            put(s.location, &|out| {
                out.extend_from_slice(b"\"location\":{\"lat\":");
                out.extend_from_slice(&latitude[0]);
                out.extend_from_slice(b",\"lon\":");
                out.extend_from_slice(&longitude[0]);
                out.extend_from_slice(b"},");
            });
        }
        let text_column = p.tweet_text;
        let raw_keys = &self.raw_keys;
        put(s.raw, &|out| {
            out.extend_from_slice(b"\"raw\":{");
            for (column, (key, field)) in raw_keys.iter().zip(fields.iter()).enumerate() {
                out.extend_from_slice(key);
                if column == text_column && text.is_some() {
                    out.extend_from_slice(escaped_text);
                } else {
                    push_json_string(out, field);
                }
            }
            out.extend_from_slice(b"},");
        });

        out.extend_from_slice(b"{\"index\":{\"_id\":");
        push_json_string(out, tweetid);
        out.extend_from_slice(b"}}\n{");
        for &(start, end) in spans.iter() {
            out.extend_from_slice(&scratch[start..end]);
        }
        // Every field ends in a comma: the last one's closes the document.
        *out.last_mut().expect("a document has a tweetid") = b'}';
        out.push(b'\n');
        Ok(true)
    }
}
