//! The indexer's native fast path: the rows of a tweets file in, their bulk index actions out, each document byte
//! for byte what `indexer.document.to_document` encoded with orjson would give. Python's side is
//! `indexer.native`; `tests/test_native.py` and `tests/test_native_property.py` hold the two to the same bytes.
//!
//! `Lines` reads the file after its header in large blocks; `TweetEncoder.take` reads runs of rows from it and
//! encodes them without a Python call per row. It only takes the rows it can handle with certainty and stops
//! before anything else, which the Python reader then reads, types and rejects as always from the same `Lines`.
//! What it leaves: CSV that is not well-formed, bad UTF-8, NUL bytes, a wrong width, overlong lines and quoted
//! fields that never close, non-ASCII ids and times, times in other shapes, blank-looking text made of unusual
//! spaces, and any column whose Python parser raises.
//!
//! By concern, each function naming the Python function it twins:
//! - `lines.rs`: the file's lines and the logical rows joined from them (`indexer.archive`);
//! - `csv.rs`: a row's CSV fields (`indexer.archive._RowSplitter._split`);
//! - `parsers.rs`: ids, texts, times, snowflake times, names and links read from the text (`indexer.normalise`);
//! - `urls.rs`: URL lists (`indexer.normalise.parse_urls`, `common.urls`);
//! - `json.rs`: JSON as orjson writes it;
//! - `encoder.rs`: the document (`TweetRowNormaliser.__call__` then `to_document`), with the constants the
//!   Python side hands over;
//! - this file: the Python module.
//!
//! The pure parts (`csv`, `parsers`, `urls`, `json`) build without Python, so `cargo test` runs their unit tests
//! without an interpreter; the Python classes need the `python` feature, which `pip install ./native` turns on
//! (see `pyproject.toml`).

pub mod csv;
pub mod json;
pub mod parsers;
pub mod urls;

#[cfg(feature = "python")]
mod encoder;
#[cfg(feature = "python")]
mod lines;

#[cfg(feature = "python")]
#[pyo3::pymodule]
fn tweetsearch_native(module: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
    use pyo3::types::PyModuleMethods;
    module.add_class::<encoder::TweetEncoder>()?;
    module.add_class::<lines::Lines>()?;
    // What `indexer.native` expects of this module; it leaves a module built from older sources unused.
    module.add("API", 3)?;
    Ok(())
}
