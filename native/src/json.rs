//! JSON writing as orjson does it, for the documents `indexer.document.to_document` describes: what the Python
//! side gets from `orjson.dumps` (strings, `"key":value,` fields, lists), written straight into the bulk body.

/// `"key":"value",`: one string field as `indexer.native._field` writes it.
pub fn push_key_string(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    push_json_string(out, value);
    out.push(b',');
}

/// A list field, left out when empty (as `to_document` leaves out empty lists): `indexer.native._field` of a list.
pub fn push_key_list(out: &mut Vec<u8>, key: &str, values: &[String]) {
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

/// A JSON string as `orjson.dumps(str)` writes it: `"` and `\` escaped, control characters as \b \t \n \f \r or
/// \u00XX, everything else (DEL, non-ASCII) as is.
pub fn push_json_string(out: &mut Vec<u8>, value: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &str) -> String {
        let mut out = Vec::new();
        push_json_string(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_orjson_escapes_them() {
        assert_eq!(json("plain"), "\"plain\"");
        assert_eq!(json("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
        assert_eq!(json("\x08\t\n\x0c\r\x00\x1b\x1f"), "\"\\b\\t\\n\\f\\r\\u0000\\u001b\\u001f\"");
        assert_eq!(json("del\x7f é 🇷🇺 /"), "\"del\x7f é 🇷🇺 /\"");
    }

    #[test]
    fn the_eight_byte_skip_misses_no_byte_to_escape() {
        for position in 0..20 {
            for special in ['"', '\\', '\n', '\x01', '\x1f'] {
                let mut text: String = "abcdefghijklmnopqrstu".into();
                text.replace_range(position..position + 1, &special.to_string());
                let expected: String = text
                    .chars()
                    .map(|c| match c {
                        '"' => "\\\"".to_owned(),
                        '\\' => "\\\\".to_owned(),
                        '\n' => "\\n".to_owned(),
                        c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
                        c => c.to_string(),
                    })
                    .collect();
                assert_eq!(json(&text), format!("\"{expected}\""));
            }
        }
    }

    #[test]
    fn empty_lists_are_left_out() {
        let mut out = Vec::new();
        push_key_list(&mut out, "tags", &[]);
        assert!(out.is_empty());
        push_key_list(&mut out, "tags", &["a".into(), "b\"".into()]);
        push_key_string(&mut out, "id", "7");
        assert_eq!(String::from_utf8(out).unwrap(), "\"tags\":[\"a\",\"b\\\"\"],\"id\":\"7\",");
    }
}
