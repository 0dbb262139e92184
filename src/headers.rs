//! Response headers: an ordered list that keeps repeated names and compares names
//! without regard to case, as HTTP requires.

/// The headers of one HTTP response, in the order the server sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, String)>,
}

impl Headers {
    /// An empty header list.
    pub fn new() -> Self {
        Headers::default()
    }

    /// Appends one header; a repeated name is kept as another entry.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The first value of `name` (case-insensitive), if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All entries as `(name, value)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The number of entries, counting repeated names separately.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry (used when a new status line starts, as after `100 Continue`).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// Parses one raw header line (`Name: value\r\n`) and appends it; status lines and
    /// blank lines are ignored. Returns false when the line is not a header.
    pub(crate) fn push_raw_line(&mut self, line: &[u8]) -> bool {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        match text.split_once(':') {
            Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                self.push(name.trim(), value.trim());
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_repeats_are_kept() {
        let mut headers = Headers::new();
        assert!(headers.push_raw_line(b"X-Request-Id: a\r\n"));
        assert!(headers.push_raw_line(b"x-request-id: b\r\n"));
        assert!(!headers.push_raw_line(b"HTTP/1.1 200 OK\r\n"));
        assert!(!headers.push_raw_line(b"\r\n"));
        assert_eq!(headers.get("X-REQUEST-ID"), Some("a"));
        assert_eq!(
            headers.get_all("x-request-id").collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(headers.len(), 2);
    }
}
