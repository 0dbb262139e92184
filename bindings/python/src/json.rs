//! JSON bytes straight to Python objects, with no intermediate `serde_json::Value`
//! and no detour through a Python string and `json.loads`.
//!
//! Object keys repeat heavily in Zendesk answers (a page of 1,000 tickets has ~40
//! distinct keys), and so do short values (`"open"`, `"normal"`), so those strings are
//! created once per parse and shared (Python strings are immutable); `make bench`
//! compares this parser with `json.loads`.
//!
//! Hostile input never panics or exhausts the stack, and ends in `zdkit.DecodeError`
//! where `json.loads` would differ:
//! - nesting deeper than 128 arrays/objects (serde_json's recursion limit) is refused;
//! - invalid UTF-8, `NaN`/`Infinity` and numbers beyond the float range (`1e400`) are
//!   refused (`json.loads` accepts the last two as non-standard extensions);
//! - integers beyond 64 bits become exact Python `int`s, as with `json.loads` (serde_json
//!   reads them as floats: their digits are taken from the input instead), up to the
//!   float range (about 308 digits) and Python's own limit on digits in an `int`; `-0`
//!   is the int 0, as with `json.loads`.
//!
//! One pass: the bytes are parsed once, straight into Python objects. Only when that
//! pass meets a number that may be such a wide integer (a float of magnitude 2^63 or
//! more, or `-0`) is the input parsed again with their digits located first, so
//! ordinary pages never pay for the wide-integer scan.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyModule, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// Distinct keys remembered per parse (bounds memory on hostile input).
const KEY_CACHE_LIMIT: usize = 4096;
/// String values up to this length are shared through the same cache.
const SHARED_VALUE_MAX_LEN: usize = 16;

/// Per-parse state: the Python token, the key cache and the integers too large for 64
/// bits (see [`wide_integers`]).
struct Context<'py, 'a> {
    py: Python<'py>,
    keys: RefCell<HashMap<String, Bound<'py, PyString>, BuildHasherDefault<KeyHasher>>>,
    wide: RefCell<WideIntegers<'a>>,
    /// Set when a float that may be a rounded wide integer was read without the
    /// wide-integer list (the input must then be parsed again with it).
    maybe_wide: Cell<bool>,
}

impl<'py, 'a> Context<'py, 'a> {
    fn new(py: Python<'py>, wide: WideIntegers<'a>) -> Self {
        Context {
            py,
            keys: RefCell::new(HashMap::default()),
            wide: RefCell::new(wide),
            maybe_wide: Cell::new(false),
        }
    }

    /// Parses one JSON text with this context's key cache: first without the
    /// wide-integer list, again with it when the first pass met a possible wide integer.
    fn parse(&self, bytes: &'a [u8]) -> Result<Bound<'py, PyAny>, String> {
        self.maybe_wide.set(false);
        *self.wide.borrow_mut() = WideIntegers::default();
        let value = self.parse_once(bytes)?;
        if !self.maybe_wide.get() {
            return Ok(value);
        }
        *self.wide.borrow_mut() = wide_integers(bytes);
        self.parse_once(bytes)
    }

    fn parse_once(&self, bytes: &[u8]) -> Result<Bound<'py, PyAny>, String> {
        // UTF-8 checked once for the whole text (fast), not string by string.
        let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))?;
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = PyValue(self)
            .deserialize(&mut deserializer)
            .map_err(|e| e.to_string())?;
        deserializer.end().map_err(|e| e.to_string())?;
        Ok(value)
    }

    fn key(&self, text: &str) -> Bound<'py, PyString> {
        if let Some(key) = self.keys.borrow().get(text) {
            return key.clone();
        }
        let key = PyString::new(self.py, text);
        let mut keys = self.keys.borrow_mut();
        if keys.len() < KEY_CACHE_LIMIT {
            keys.insert(text.to_owned(), key.clone());
        }
        key
    }
}

/// The key cache's hash: keys are short and come from one parse, so a fast
/// multiply-rotate hash (FxHash's) is enough; SipHash cost more than the lookups saved.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Python's garbage collector paused while a page's objects are built (each new dict
/// and list would count towards a collection that finds nothing: they are all alive),
/// and resumed as it was, also after an error.
pub struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    /// Pauses the collector when it is enabled.
    pub fn new(py: Python<'py>) -> GcPause<'py> {
        let gc = py.import("gc").ok().filter(|gc| {
            gc.call_method0("isenabled")
                .and_then(|on| on.is_truthy())
                .unwrap_or(false)
                && gc.call_method0("disable").is_ok()
        });
        GcPause { gc }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            let _ = gc.call_method0("enable");
        }
    }
}

/// Parses `bytes` as JSON into Python objects (`dict`, `list`, `str`, `int`,
/// `float`, `bool`, `None`).
pub fn loads<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, String> {
    Context::new(py, WideIntegers::default()).parse(bytes)
}

/// Parses each of `texts` (the items of one page) into a Python list, sharing one key
/// cache across them.
pub fn loads_each<'py, 'a>(
    py: Python<'py>,
    texts: impl Iterator<Item = &'a [u8]>,
) -> Result<Bound<'py, PyList>, String> {
    let context = Context::new(py, WideIntegers::default());
    let list = PyList::empty(py);
    for text in texts {
        let item = context.parse(text)?;
        list.append(item).map_err(|e| e.to_string())?;
    }
    Ok(list)
}

/// A `serde_json::Value` (already parsed by the core) as Python objects.
pub fn value_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    convert(&Context::new(py, WideIntegers::default()), value)
}

fn convert<'py>(
    context: &Context<'py, '_>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    let py = context.py;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py)?,
            (None, Some(u)) => u.into_bound_py_any(py)?,
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(convert(context, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(context.key(key), convert(context, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Like [`value_to_py`], giving None when a conversion fails.
pub fn from_value<'py>(py: Python<'py>, value: &serde_json::Value) -> Bound<'py, PyAny> {
    value_to_py(py, value).unwrap_or_else(|_| py.None().into_bound(py))
}

#[derive(Clone, Copy)]
struct PyValue<'a, 'py, 'b>(&'a Context<'py, 'b>);

impl<'de, 'py> DeserializeSeed<'de> for PyValue<'_, 'py, '_> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn py_err<E: de::Error>(error: PyErr) -> E {
    E::custom(error.to_string())
}

impl<'de, 'py> Visitor<'de> for PyValue<'_, 'py, '_> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0.py).map_err(py_err)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0.py).map_err(py_err)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0.py).map_err(py_err)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // serde_json reads an integer beyond 64 bits as a float: take its digits instead.
        // (Without the list of them, note that this float may be one: the caller then
        // parses again with the list.)
        if self.0.wide.borrow().is_empty() {
            if v.abs() >= WIDE_INTEGER_MAGNITUDE || (v == 0.0 && v.is_sign_negative()) {
                self.0.maybe_wide.set(true);
            }
            return v.into_bound_py_any(self.0.py).map_err(py_err);
        }
        if let Some(digits) = self.0.wide.borrow_mut().next() {
            let digits = std::str::from_utf8(digits).map_err(E::custom)?;
            return self
                .0
                .py
                .get_type::<PyInt>()
                .call1((digits,))
                .map_err(py_err);
        }
        v.into_bound_py_any(self.0.py).map_err(py_err)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // Short values repeat too ("open", "normal", "web"): share them like keys.
        if v.len() <= SHARED_VALUE_MAX_LEN {
            return Ok(self.0.key(v).into_any());
        }
        Ok(PyString::new(self.0.py, v).into_any())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.0.py.None().into_bound(self.0.py))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.0.py);
        while let Some(item) = seq.next_element_seed(self)? {
            list.append(item).map_err(py_err)?;
        }
        Ok(list.into_any())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.0.py);
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            let value = map.next_value_seed(self)?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

/// An object key, taken from the per-parse cache when seen before.
struct Key<'a, 'py, 'b>(&'a Context<'py, 'b>);

impl<'de, 'py> DeserializeSeed<'de> for Key<'_, 'py, '_> {
    type Value = Bound<'py, PyString>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'_, 'py, '_> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.key(v))
    }
}

/// The numbers serde_json hands to `visit_f64`, in document order, marking those that
/// are integers beyond 64 bits (their digits). Empty for input without such integers,
/// which is almost all of it.
#[derive(Default)]
struct WideIntegers<'a> {
    /// `None` for a float token, `Some(digits)` for a wide integer.
    tokens: VecDeque<Option<&'a [u8]>>,
}

/// The smallest magnitude of an integer beyond 64 bits (below `i64::MIN` or above
/// `u64::MAX`), as a float, minus rounding headroom: a float read at or above it may
/// be a rounded wide integer.
const WIDE_INTEGER_MAGNITUDE: f64 = 9.2e18;

impl<'a> WideIntegers<'a> {
    /// True when no wide-integer list is in use.
    fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The next number serde_json reads as a float: its digits when it is a wide integer.
    fn next(&mut self) -> Option<&'a [u8]> {
        self.tokens.pop_front().flatten()
    }
}

/// Scans `bytes` (outside strings) for number tokens. Only when one of them is an
/// integer beyond `i64`/`u64` does it return the list [`WideIntegers`] needs: every
/// token serde_json reads as a float, in order. On malformed input the list may not
/// line up, but serde_json then fails anyway.
fn wide_integers(bytes: &[u8]) -> WideIntegers<'_> {
    let mut tokens = VecDeque::new();
    let mut any_wide = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &bytes[start..i];
                if token.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
                    tokens.push_back(None);
                } else if !fits_64_bits(token) || is_negative_zero(token) {
                    // serde_json reads `-0` as the float -0.0; `json.loads` as the int 0.
                    any_wide = true;
                    tokens.push_back(Some(token));
                }
            }
            _ => i += 1,
        }
    }
    if !any_wide {
        tokens.clear();
    }
    WideIntegers { tokens }
}

/// Whether an integer token fits `i64` (negative) or `u64`, as serde_json reads it.
fn fits_64_bits(token: &[u8]) -> bool {
    let text = std::str::from_utf8(token).unwrap_or("");
    text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()
}

/// `-0` (and `-00…`, which serde_json refuses anyway).
fn is_negative_zero(token: &[u8]) -> bool {
    token.len() > 1 && token[0] == b'-' && token[1..].iter().all(|&b| b == b'0')
}
