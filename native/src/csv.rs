//! CSV fields: one logical row (its lines joined) split into its decoded fields.

use memchr::{memchr, memchr3};
use std::borrow::Cow;

/// `indexer.archive._RowSplitter._split`: the fields of one row holding `quotes` quote bytes, decoded, when the
/// row has `width` fields and is shorter than `simple_length` (the csv module's field size limit). Only
/// well-formed CSV is taken: each field either unquoted without quote or line break, or quoted from its first
/// byte to a closing quote right before the comma or the row's end, with `""` for a quote inside. The csv module
/// reads such rows the same way; None leaves any other row to it.
pub fn split_fields(data: &[u8], quotes: usize, width: usize, simple_length: usize) -> Option<Vec<Cow<'_, str>>> {
    if memchr(0, data).is_some() {
        return None;
    }
    let text = std::str::from_utf8(data).ok()?.trim_end_matches(['\r', '\n']);
    if text.len() >= simple_length || text.is_empty() {
        return None;
    }
    let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(width);
    if quotes == 0 {
        if text.contains('\r') {
            return None;
        }
        fields.extend(text.split(',').map(Cow::Borrowed));
        return (fields.len() == width).then_some(fields);
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
        if fields.len() > width {
            return None;
        }
    }
    (fields.len() == width).then_some(fields)
}

/// How many quote bytes `data` holds: a row runs over a line end while the count is odd.
pub fn count_quotes(data: &[u8]) -> usize {
    memchr::memchr_iter(b'"', data).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(row: &str, width: usize) -> Option<Vec<String>> {
        let fields = split_fields(row.as_bytes(), count_quotes(row.as_bytes()), width, 131_072)?;
        Some(fields.into_iter().map(Cow::into_owned).collect())
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(split("a,b,,c\r\n", 4).unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", 3).unwrap(), ["a,b", "say \"hi\"", ""]);
        assert_eq!(split("\"line\nbreak\",\"é🇷🇺\"", 2).unwrap(), ["line\nbreak", "é🇷🇺"]);
    }

    #[test]
    fn anything_else_is_left_to_the_csv_module() {
        assert_eq!(split("a,b", 3), None, "too few fields");
        assert_eq!(split("a,b,c,d", 3), None, "too many fields");
        assert_eq!(split("a,\"b\"x,c", 3), None, "text after a closing quote");
        assert_eq!(split("a,b\"c,d", 3), None, "a quote inside an unquoted field");
        assert_eq!(split("a,\"open,c", 2), None, "a quote never closed");
        assert_eq!(split("a,b\rc,d", 3), None, "a lone carriage return");
        assert_eq!(split("a,\0,c", 3), None, "a NUL byte");
        assert_eq!(split_fields(b"a,\xff,c", 0, 3, 100), None, "bad UTF-8");
        assert_eq!(split_fields(b"a,b,c", 0, 3, 5), None, "as long as the field size limit");
        assert_eq!(split("\n", 1), None, "an empty row");
    }
}
