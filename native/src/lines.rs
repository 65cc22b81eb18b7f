//! Lines and rows: the file's lines read in large blocks, and the logical rows (lines joined while a quoted field
//! runs over their ends) that `TweetEncoder.take` reads from them, as `indexer.archive._RowSplitter.rows` does.

use crate::csv::count_quotes;
use memchr::memchr;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The lines of a file after its header, read from a Python binary stream in large blocks: `TweetEncoder.take`
/// reads rows from them without Python, and the Python reader reads the rows it leaves with `readline`.
#[pyclass(unsendable, module = "tweetsearch_native")]
pub struct Lines {
    /// The stream's `read1` (one read of the stream beneath: where a compressed stream is damaged, the data before
    /// the damage still comes out), or `read` for a stream without it.
    read: PyObject,
    pub buf: Vec<u8>,
    /// Where the next line starts in `buf`.
    pub pos: usize,
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

    /// `readline(limit)` of a buffered binary stream (what `indexer.archive` calls on a stream): the next line with
    /// its line end, at most `limit` bytes, or empty at the end.
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
    pub fn compact(&mut self) {
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

    /// The logical row starting at `pos`, its lines joined while a quoted field runs over their ends (the joining
    /// of `_RowSplitter.rows`): where it ends in `buf`, its quote count and how many lines it spans. None where the
    /// Python reader must judge: a quoted field still open after `max_row_bytes` or at the end of the data, or a
    /// line `whole_line` refuses.
    pub fn next_row(&mut self, py: Python<'_>, max_row_bytes: usize) -> Option<(usize, usize, usize)> {
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
