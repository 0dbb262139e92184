//! JSON bytes straight to Python objects, with no intermediate `serde_json::Value`
//! and no detour through a Python string and `json.loads`.
//!
//! Object keys repeat heavily in Zendesk answers (a page of 1,000 tickets has ~40
//! distinct keys), and so do short values (`"open"`, `"normal"`), so those strings are
//! created once per parse and shared (Python strings are immutable); `make bench`
//! compares this parser with `json.loads`.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// Distinct keys remembered per parse (bounds memory on hostile input).
const KEY_CACHE_LIMIT: usize = 4096;
/// String values up to this length are shared through the same cache.
const SHARED_VALUE_MAX_LEN: usize = 16;

/// Per-parse state: the Python token and the key cache.
struct Context<'py> {
    py: Python<'py>,
    keys: RefCell<HashMap<String, Bound<'py, PyString>>>,
}

impl<'py> Context<'py> {
    fn new(py: Python<'py>) -> Self {
        Context {
            py,
            keys: RefCell::new(HashMap::new()),
        }
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

/// Parses `bytes` as JSON into Python objects (`dict`, `list`, `str`, `int`,
/// `float`, `bool`, `None`).
pub fn loads<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, String> {
    let context = Context::new(py);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = PyValue(&context)
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// A `serde_json::Value` (already parsed by the core) as Python objects.
pub fn value_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    convert(&Context::new(py), value)
}

fn convert<'py>(context: &Context<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
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
struct PyValue<'a, 'py>(&'a Context<'py>);

impl<'de, 'py> DeserializeSeed<'de> for PyValue<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn py_err<E: de::Error>(error: PyErr) -> E {
    E::custom(error.to_string())
}

impl<'de, 'py> Visitor<'de> for PyValue<'_, 'py> {
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
struct Key<'a, 'py>(&'a Context<'py>);

impl<'de, 'py> DeserializeSeed<'de> for Key<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.key(v))
    }
}
