//! Paging metadata without a JSON tree.
//!
//! A list page is mostly items; paging needs only a handful of small fields
//! (`meta.has_more`, `meta.after_cursor`, `next_page`, `links.next`, `end_of_stream`,
//! `end_time`, `after_cursor`, `count`) and *where* each item is. [`PageScan::scan`]
//! reads exactly those in one pass over the bytes: the wanted fields are decoded, every
//! top-level array is kept as the byte ranges of its elements, and everything else is
//! skipped without allocating. The page bytes are never copied or rewritten, so a C
//! caller gets them untouched, an export writes items straight from their ranges and
//! Python builds its objects from the bytes once.
//!
//! The page is walked by a validating skipper (`json_skip`): UTF-8 once for the whole
//! page, then the JSON grammar serde_json checks when it skips a value, strings crossed
//! eight bytes at a time, nesting limited as in serde_json, no recursion. The small
//! paging values are then decoded by serde_json visitors that keep only what is asked
//! for. So the whole page is still checked to be JSON: truncated or malformed pages,
//! invalid UTF-8, `NaN`, deep nesting and wrong types fail with a typed error, never a
//! panic. What it reads agrees with `serde_json::Value` on every page `Value` accepts
//! (property tests check it): duplicate keys keep their last value, as in `Value`.
//! Like serde_json when it skips a value, it does not check that a number fits a float
//! (`1e400`) or that `\u` escapes pair up inside the items; parsing such an item into a
//! `Value` (or a Python object) then fails.
//!
//! [`Checking::Structure`] (what the C search pager and the export use) checks less, for speed:
//! the page's top-level object, its keys, the paging fields and every other top-level
//! value are checked exactly as above (UTF-8 included), but an item that is an object
//! or an array — an element of a top-level array — is only checked for its structure,
//! its characters and UTF-8 (see `json_structure`), not for the order of its tokens,
//! the spelling of its literals and numbers, or its escapes: whoever parses it gets
//! those checks.
//!
//! [`Checking::Bounds`] (what the C list pager uses) checks less again: the top level
//! is checked as above, but of each top-level array only the end is found, by its
//! strings and its bracket depth (see `json_bounds`), nesting still limited.

use crate::json_bounds::skip_bounds;
use crate::json_skip::{SkipError, Skipper};
use crate::json_structure::skip_container;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

/// The top-level keys read as paging fields. They are never a page's items, so their
/// values are not kept as arrays in [`PageScan::keys`] (an array there reads as
/// [`Field::Wrong`]).
pub const PAGING_KEYS: [&str; 7] = [
    "meta",
    "links",
    "next_page",
    "end_of_stream",
    "after_cursor",
    "end_time",
    "count",
];

/// One field of a page, as found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// The key is not there.
    #[default]
    Absent,
    /// The value is JSON `null`.
    Null,
    /// The value has another type than the one wanted (or a number out of range).
    Wrong,
    /// The value, of the wanted type.
    Is(T),
}

impl<T> Field<T> {
    /// The value, when it has the wanted type.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Is(value) => Some(value),
            _ => None,
        }
    }

    /// True unless the key is absent.
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    fn map<U>(self, f: impl FnOnce(T) -> Option<U>) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Wrong => Field::Wrong,
            Field::Is(value) => f(value).map_or(Field::Wrong, Field::Is),
        }
    }
}

/// The paging fields of one page and the ranges of its top-level arrays.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageScan {
    /// The page is a JSON object (else every field below is absent).
    pub is_object: bool,
    /// `meta`, when it is an object (`None` otherwise).
    pub meta: Option<MetaFields>,
    /// `links.next`, when `links` is an object (`Absent` otherwise).
    pub links_next: Field<String>,
    /// The top-level `next_page` (offset pagination).
    pub next_page: Field<String>,
    /// The top-level `end_of_stream` (incremental exports).
    pub end_of_stream: Field<bool>,
    /// The top-level `after_cursor` (cursor-based incremental exports).
    pub after_cursor: Field<String>,
    /// The top-level `end_time` (time-based incremental exports): an integer that fits
    /// `i64`, else `Wrong`.
    pub end_time: Field<i64>,
    /// The top-level `count` (search): an integer that fits `u64`, else `Wrong`.
    pub count: Field<u64>,
    /// Every top-level key in document order (a repeated key keeps its last value and
    /// place), with the byte range of each element in the page when its value is an
    /// array (never for the [`PAGING_KEYS`]; an empty list, whatever the array holds,
    /// with [`Checking::Bounds`]).
    pub keys: Vec<(String, Option<Vec<Range<usize>>>)>,
}

/// What `meta` holds for paging.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MetaFields {
    /// `meta.has_more`.
    pub has_more: Field<bool>,
    /// `meta.after_cursor`.
    pub after_cursor: Field<String>,
}

/// How much of a page [`PageScan::scan_with`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Checking {
    /// The whole page is checked to be JSON, as serde_json checks a value it skips:
    /// a page [`PageScan::scan`] accepts parses into a `serde_json::Value`, but for
    /// the limits noted in the module documentation.
    #[default]
    Full,
    /// The page is checked as with [`Checking::Full`] except inside its items: an
    /// element of a top-level array that is an object or an array is checked for its
    /// structure (strings, escaped quotes, brackets of matching kinds, nesting up to
    /// serde_json's limit), its characters (outside strings only JSON's; no control
    /// character inside strings) and UTF-8, not for the order of its tokens, the
    /// spelling of its literals and numbers, or its escapes. A page accepted with
    /// `Full` is accepted with `Structure` and read the same; a page `Full` refuses may
    /// pass only when what is wrong is inside such an item. The caller parses the items
    /// (and gets the remaining checks) when it reads them.
    Structure,
    /// The page is checked as with [`Checking::Full`] except inside its top-level
    /// arrays (other than the paging fields): of such an array only its end is found,
    /// by following its strings (a quote after an odd run of backslashes does not end
    /// one) and counting brackets outside strings, whatever their kinds. Nesting
    /// deeper than serde_json allows (127 levels, the page's own object included)
    /// still fails, and so does a page that ends inside an array; the kinds of the
    /// brackets, the tokens, the characters and UTF-8 inside the array are not
    /// checked. The array is not split into elements: its [`PageScan::keys`] entry
    /// holds no ranges (an empty list), so a pager reading pages this way counts no
    /// items. A page accepted with `Full` is accepted with `Bounds` and its paging
    /// fields read the same; a page `Full` refuses may pass only when what is wrong
    /// is inside a top-level array. For a caller that parses the page itself (the C
    /// pager).
    Bounds,
}

/// Why a page could not be scanned (the message says where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError(pub String);

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScanError {}

impl PageScan {
    /// Scans `body`, checking all of it ([`Checking::Full`]). An empty (or
    /// all-whitespace) body gives an empty scan, like `Response::json` giving `null`;
    /// anything that is not one JSON value fails.
    pub fn scan(body: &[u8]) -> Result<PageScan, ScanError> {
        PageScan::scan_with(body, Checking::Full)
    }

    /// Scans `body`, checking as much as `checking` says (see [`Checking`]).
    pub fn scan_with(body: &[u8], checking: Checking) -> Result<PageScan, ScanError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(PageScan::default());
        }
        let mut utf8 = Utf8Check::new(body, checking)?;
        let mut skipper = Skipper::new(body, 0);
        let mut scan = PageScan::default();
        if skipper.skip_whitespace() == Some(b'{') {
            scan.is_object = true;
            scan_object(&mut skipper, &mut utf8, &mut scan)?;
        } else {
            skipper.skip_value(0).map_err(not_json)?;
        }
        if skipper.skip_whitespace().is_some() {
            return Err(not_json(SkipError {
                what: "trailing characters",
                at: skipper.pos,
            }));
        }
        utf8.check_up_to(body.len())?;
        Ok(scan)
    }

    /// The element ranges of the top-level array under `key`: `None` when the key is
    /// absent, `Some(None)` when its value is not an array.
    pub fn array(&self, key: &str) -> Option<Option<&[Range<usize>]>> {
        self.keys
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, items)| items.as_deref())
    }

    /// The keys whose values are arrays, in document order.
    pub fn array_keys(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .filter(|(_, items)| items.is_some())
            .map(|(name, _)| name.as_str())
    }
}

/// Where UTF-8 was checked: all of the page at once ([`Checking::Full`]), or, with
/// [`Checking::Structure`] and [`Checking::Bounds`], the page but what is only
/// followed by its structure or its bounds, region by region as the scan passes it.
struct Utf8Check<'a> {
    body: &'a [u8],
    checking: Checking,
    /// Every byte before this one that is not inside an unchecked item was checked.
    checked: usize,
}

impl<'a> Utf8Check<'a> {
    fn new(body: &'a [u8], checking: Checking) -> Result<Utf8Check<'a>, ScanError> {
        let mut check = Utf8Check {
            body,
            checking,
            checked: 0,
        };
        if checking == Checking::Full {
            check.check_up_to(body.len())?;
        }
        Ok(check)
    }

    /// Checks the bytes from the last checked one up to `end`.
    fn check_up_to(&mut self, end: usize) -> Result<(), ScanError> {
        if end > self.checked {
            std::str::from_utf8(&self.body[self.checked..end]).map_err(|e| {
                ScanError(format!(
                    "the page is not valid UTF-8 at byte {}",
                    self.checked + e.valid_up_to()
                ))
            })?;
            self.checked = end;
        }
        Ok(())
    }

    /// The text at `range`, which holds a complete JSON token or value (so its ends
    /// are character boundaries).
    fn text(&self, range: Range<usize>) -> Result<&'a str, ScanError> {
        std::str::from_utf8(&self.body[range.clone()]).map_err(|e| {
            ScanError(format!(
                "the page is not valid UTF-8 at byte {}",
                range.start + e.valid_up_to()
            ))
        })
    }

    /// Whether the element at the skipper is only followed by its structure.
    fn by_structure(&self, skipper: &Skipper<'_>) -> bool {
        self.checking == Checking::Structure && matches!(skipper.peek(), Some(b'{' | b'['))
    }
}

fn not_json(error: SkipError) -> ScanError {
    ScanError(format!(
        "the page is not valid JSON: {} at byte {}",
        error.what, error.at
    ))
}

/// Parses one small value (already checked by the skipper) with `seed`.
fn parse_with<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, ScanError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    seed.deserialize(&mut deserializer)
        .map_err(|e| ScanError(format!("the page is not valid JSON: {e}")))
}

/// Walks the page's top-level object (the skipper is at its `{`): paging fields are
/// decoded, arrays kept as element ranges, everything else skipped.
fn scan_object(
    skipper: &mut Skipper<'_>,
    utf8: &mut Utf8Check<'_>,
    scan: &mut PageScan,
) -> Result<(), ScanError> {
    skipper.pos += 1;
    if skipper.skip_whitespace() == Some(b'}') {
        skipper.pos += 1;
        return Ok(());
    }
    loop {
        if skipper.skip_whitespace() != Some(b'"') {
            return Err(not_json(SkipError {
                what: "expected an object key",
                at: skipper.pos,
            }));
        }
        let key_start = skipper.pos;
        let escaped = skipper.skip_string().map_err(not_json)?;
        let quoted = utf8.text(key_start..skipper.pos)?;
        let key: Cow<'_, str> = if escaped {
            Cow::Owned(parse_with(quoted, PhantomData::<String>)?)
        } else {
            Cow::Borrowed(&quoted[1..quoted.len() - 1])
        };
        skipper
            .expect(b':', "expected `:` after an object key")
            .map_err(not_json)?;
        let start = skipper
            .skip_whitespace()
            .map(|_| skipper.pos)
            .unwrap_or(skipper.pos);
        let mut items = None;
        if PAGING_KEYS.contains(&key.as_ref()) {
            skipper.skip_value(1).map_err(not_json)?;
            let value = utf8.text(start..skipper.pos)?;
            match key.as_ref() {
                "meta" => scan.meta = parse_with(value, Meta)?,
                "links" => scan.links_next = parse_with(value, Links)?,
                "next_page" => scan.next_page = parse_with(value, AnyScalar)?.text(),
                "end_of_stream" => scan.end_of_stream = parse_with(value, AnyScalar)?.flag(),
                "after_cursor" => scan.after_cursor = parse_with(value, AnyScalar)?.text(),
                "end_time" => scan.end_time = parse_with(value, AnyScalar)?.integer().map(as_i64),
                _ => scan.count = parse_with(value, AnyScalar)?.integer().map(as_u64),
            }
        } else if skipper.peek() == Some(b'[') && utf8.checking == Checking::Bounds {
            utf8.check_up_to(start)?;
            skipper.pos = skip_bounds(utf8.body, start, 1).map_err(not_json)?;
            utf8.checked = skipper.pos;
            items = Some(Vec::new());
        } else if skipper.peek() == Some(b'[') {
            items = Some(element_ranges(skipper, utf8)?);
        } else {
            skipper.skip_value(1).map_err(not_json)?;
        }
        // A repeated key keeps its last value, as in `serde_json::Value`.
        scan.keys.retain(|(name, _)| *name != key);
        scan.keys.push((key.into_owned(), items));
        match skipper.skip_whitespace() {
            Some(b',') => skipper.pos += 1,
            Some(b'}') => {
                skipper.pos += 1;
                return Ok(());
            }
            _ => {
                return Err(not_json(SkipError {
                    what: "expected `,` or `}` after a value",
                    at: skipper.pos,
                }));
            }
        }
    }
}

/// The byte range of each element of the array at the skipper (a top-level value, so
/// its elements sit two levels deep).
fn element_ranges(
    skipper: &mut Skipper<'_>,
    utf8: &mut Utf8Check<'_>,
) -> Result<Vec<Range<usize>>, ScanError> {
    skipper.pos += 1;
    let mut ranges = Vec::new();
    if skipper.skip_whitespace() == Some(b']') {
        skipper.pos += 1;
        return Ok(ranges);
    }
    loop {
        let start = skipper
            .skip_whitespace()
            .map(|_| skipper.pos)
            .unwrap_or(skipper.pos);
        if utf8.by_structure(skipper) {
            utf8.check_up_to(start)?;
            skipper.pos = skip_container(utf8.body, start, 2).map_err(not_json)?;
            utf8.checked = skipper.pos;
        } else {
            skipper.skip_value(2).map_err(not_json)?;
        }
        ranges.push(start..skipper.pos);
        match skipper.skip_whitespace() {
            Some(b',') => skipper.pos += 1,
            Some(b']') => {
                skipper.pos += 1;
                return Ok(ranges);
            }
            _ => {
                return Err(not_json(SkipError {
                    what: "expected `,` or `]` after an element",
                    at: skipper.pos,
                }));
            }
        }
    }
}

/// The visitor methods of a seed that wants one shape: everything else gives `$other`
/// (and `null` gives `$null`); arrays and objects are skipped unless `$containers`.
macro_rules! scalar_visits {
    ($null:expr, $other:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($null)
        }
    };
}

/// `visit_seq`/`visit_map` that skip the container and give `$other`.
macro_rules! skip_containers {
    (seq $other:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            skip_seq(seq).map(|()| $other)
        }
    };
    (map $other:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            skip_map(map).map(|()| $other)
        }
    };
}

/// A seed that reads one value with `deserialize_any`.
macro_rules! any_seed {
    ($name:ident, $out:ty) => {
        impl<'de> DeserializeSeed<'de> for $name {
            type Value = $out;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$out, D::Error> {
                d.deserialize_any(self)
            }
        }
    };
}

/// An integer as serde_json reads it: non-negative ones as `u64`, negative ones as `i64`.
#[derive(Clone, Copy)]
enum Int {
    Unsigned(u64),
    Signed(i64),
}

fn as_i64(value: Int) -> Option<i64> {
    match value {
        Int::Unsigned(u) => i64::try_from(u).ok(),
        Int::Signed(i) => Some(i),
    }
}

fn as_u64(value: Int) -> Option<u64> {
    match value {
        Int::Unsigned(u) => Some(u),
        Int::Signed(i) => u64::try_from(i).ok(),
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element_seed(Skip)?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_key::<IgnoredAny>()?.is_some() {
        map.next_value_seed(Skip)?;
    }
    Ok(())
}

/// Skips one value through serde_json's own recursion, so its nesting limit (the one
/// `serde_json::Value` has) applies: skipped values are small (`meta`, `links`, …).
#[derive(Clone, Copy)]
struct Skip;
any_seed!(Skip, ());

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    scalar_visits!((), ());
    skip_containers!(seq());
    skip_containers!(map());
}

/// A paging value as read: one of the scalars it may be, or something else.
enum Scalar {
    Null,
    Bool(bool),
    Int(Int),
    Text(String),
    /// A float, an array or an object.
    Other,
}

impl Scalar {
    fn field<T>(self, wanted: impl FnOnce(Scalar) -> Option<T>) -> Field<T> {
        match self {
            Scalar::Null => Field::Null,
            other => wanted(other).map_or(Field::Wrong, Field::Is),
        }
    }

    /// As a string field.
    fn text(self) -> Field<String> {
        self.field(|s| match s {
            Scalar::Text(text) => Some(text),
            _ => None,
        })
    }

    /// As a boolean field.
    fn flag(self) -> Field<bool> {
        self.field(|s| match s {
            Scalar::Bool(flag) => Some(flag),
            _ => None,
        })
    }

    /// As an integer field.
    fn integer(self) -> Field<Int> {
        self.field(|s| match s {
            Scalar::Int(n) => Some(n),
            _ => None,
        })
    }
}

/// Reads one paging value as a [`Scalar`] (containers are skipped).
struct AnyScalar;
any_seed!(AnyScalar, Scalar);

impl<'de> Visitor<'de> for AnyScalar {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(Int::Signed(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(Int::Unsigned(v)))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    skip_containers!(seq Scalar::Other);
    skip_containers!(map Scalar::Other);
}

/// `meta`: `has_more` and `after_cursor` when it is an object.
struct Meta;
any_seed!(Meta, Option<MetaFields>);

impl<'de> Visitor<'de> for Meta {
    type Value = Option<MetaFields>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    scalar_visits!(None, None);
    skip_containers!(seq None);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = MetaFields::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "has_more" => fields.has_more = map.next_value_seed(AnyScalar)?.flag(),
                "after_cursor" => fields.after_cursor = map.next_value_seed(AnyScalar)?.text(),
                _ => map.next_value_seed(Skip)?,
            }
        }
        Ok(Some(fields))
    }
}

/// `links`: its `next` when it is an object.
struct Links;
any_seed!(Links, Field<String>);

impl<'de> Visitor<'de> for Links {
    type Value = Field<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    scalar_visits!(Field::Absent, Field::Absent);
    skip_containers!(seq Field::Absent);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut next = Field::Absent;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "next" {
                next = map.next_value_seed(AnyScalar)?.text();
            } else {
                map.next_value_seed(Skip)?;
            }
        }
        Ok(next)
    }
}

/// What identifies an item for de-duplication: the JSON text of its `id` and of its
/// first non-null timestamp among `updated_at`, `timestamp`, `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemIdentity<'a> {
    /// The JSON text of `id`.
    pub id: &'a str,
    /// The JSON text of the timestamp, when there is one.
    pub time: Option<&'a str>,
}

/// Reads only `id` and the timestamps of one item (an object's bytes); `None` when the
/// item is not an object with an `id`, or not JSON.
pub fn item_identity(item: &[u8]) -> Option<ItemIdentity<'_>> {
    const TIMES: [&str; 3] = ["updated_at", "timestamp", "created_at"];
    let text = std::str::from_utf8(item).ok()?;
    let fields: IdentityFields<'_> = serde_json::from_str(text).ok()?;
    let time = fields
        .times
        .iter()
        .zip(TIMES)
        .filter_map(|(raw, _)| raw.map(RawValue::get))
        .find(|text| *text != "null");
    Some(ItemIdentity {
        id: fields.id?.get(),
        time,
    })
}

/// The raw `id`, `updated_at`, `timestamp` and `created_at` of an item.
#[derive(Default)]
struct IdentityFields<'a> {
    id: Option<&'a RawValue>,
    times: [Option<&'a RawValue>; 3],
}

impl<'de> serde::Deserialize<'de> for IdentityFields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdentityVisitor)
    }
}

struct IdentityVisitor;

impl<'de> Visitor<'de> for IdentityVisitor {
    type Value = IdentityFields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    scalar_visits!(IdentityFields::default(), IdentityFields::default());
    skip_containers!(seq IdentityFields::default());

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = IdentityFields::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match key.as_ref() {
                "id" => &mut fields.id,
                "updated_at" => &mut fields.times[0],
                "timestamp" => &mut fields.times[1],
                "created_at" => &mut fields.times[2],
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value::<&'de RawValue>()?);
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cursor_page_fields_and_item_ranges() {
        let body = br#"{"tickets":[{"id":1},  {"id":2,"x":[1,{"y":"]"}]}],"meta":{"has_more":true,"after_cursor":"abc","before_cursor":"z"},"links":{"prev":null,"next":"https://x/n"}}"#;
        let scan = PageScan::scan(body).unwrap();
        assert!(scan.is_object);
        let meta = scan.meta.as_ref().unwrap();
        assert_eq!(meta.has_more, Field::Is(true));
        assert_eq!(meta.after_cursor, Field::Is("abc".to_owned()));
        assert_eq!(scan.links_next, Field::Is("https://x/n".to_owned()));
        let items = scan.array("tickets").unwrap().unwrap();
        let texts: Vec<&[u8]> = items.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(
            texts,
            [&br#"{"id":1}"#[..], &br#"{"id":2,"x":[1,{"y":"]"}]}"#[..]]
        );
    }

    #[test]
    fn last_duplicate_key_wins_and_wrong_types_read_as_absent() {
        let scan = PageScan::scan(
            br#"{"tickets":[1],"tickets":"x","meta":{"has_more":"yes"},"end_time":1.5,"count":-1}"#,
        )
        .unwrap();
        assert_eq!(scan.array("tickets"), Some(None));
        assert_eq!(scan.meta.unwrap().has_more, Field::Wrong);
        assert_eq!(scan.end_time, Field::Wrong);
        assert_eq!(scan.count, Field::Wrong);
    }

    #[test]
    fn structure_checking_follows_items_but_checks_the_rest() {
        let structure = |body: &[u8]| PageScan::scan_with(body, Checking::Structure);
        // Inside items only the structure counts.
        for (body, items) in [
            (
                &br#"{"tickets":[{"a":tru},{"b" 1 2}],"meta":{"has_more":false}}"#[..],
                2,
            ),
            (
                b"{\"tickets\":[{\"a\":\"\\q \xc3\xa9\"}],\"meta\":{\"has_more\":false}}",
                1,
            ),
            (br#"{"tickets":[[1,,2],{"x":"]}"}],"next_page":null}"#, 2),
        ] {
            assert!(PageScan::scan(body).is_err(), "{body:?}");
            let scan = structure(body).unwrap();
            assert_eq!(scan.array("tickets").flatten().map(<[_]>::len), Some(items));
        }
        // Outside items everything is checked, and items keep their structure.
        for body in [
            &br#"{"tickets":[{"a":1}],"meta":{"has_more":tru}}"#[..],
            b"{\"tick\xffets\":[{\"a\":1}]}",
            b"{\"tickets\":[{\"a\":1}],\"x\":\"\xc3\"}",
            br#"{"tickets":[{"a":1}],"meta":{"has_more":"yes"},}"#,
            br#"{"tickets":[{"a":[1}]}"#,
            br#"{"tickets":[{"a":"}"]}"#,
            br#"{"tickets":[{"a":1}] "x":1}"#,
            br#"{"tickets":[{"a":1},]}"#,
            br#"{"tickets":[{"a":1}"#,
            br#"{"tickets":[1,tru]}"#,
            br#"{"tickets":[{"a":1}]}x"#,
            br#"{"tickets":[{"id":1,"score":NaN}]}"#,
            b"{\"tickets\":[{\"s\":\"\xff\xfe\xc3\x28\"}]}",
            b"{\"tickets\":[{\"s\":\"\x01\"}]}",
        ] {
            assert!(
                structure(body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn bounds_checking_finds_the_arrays_end_but_checks_the_rest() {
        let bounds = |body: &[u8]| PageScan::scan_with(body, Checking::Bounds);
        // Inside top-level arrays only strings and bracket depth count.
        for body in [
            &br#"{"tickets":[{"a":tru},{"b" 1 2}],"meta":{"has_more":false}}"#[..],
            b"{\"tickets\":[{\"a\":\"\\q \xff\x01\"}],\"meta\":{\"has_more\":false}}",
            br#"{"tickets":[[1,,2},{"x":"]}\""}, NaN],"next_page":null}"#,
            br#"{"tickets":[1,tru]}"#,
        ] {
            assert!(PageScan::scan(body).is_err(), "{body:?}");
            let scan = bounds(body).unwrap();
            assert_eq!(scan.array("tickets"), Some(Some(&[][..])));
        }
        let scan = bounds(br#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":"c"}}"#)
            .unwrap();
        assert_eq!(scan.meta.unwrap().after_cursor, Field::Is("c".to_owned()));
        // Outside top-level arrays everything is checked; truncation and depth count.
        for body in [
            &br#"{"tickets":[{"a":1}],"meta":{"has_more":tru}}"#[..],
            b"{\"tick\xffets\":[{\"a\":1}]}",
            b"{\"tickets\":[{\"a\":1}],\"x\":\"\xc3\"}",
            br#"{"tickets":[{"a":1}],"meta":{"has_more":"yes"},}"#,
            br#"{"tickets":[{"a":"}"]}"#,
            br#"{"tickets":[{"a":1}] "x":1}"#,
            br#"{"tickets":[{"a":1}"#,
            br#"{"tickets":[{"a":"\"}]}"#,
            br#"{"tickets":[{"a":1}]}x"#,
            br#"{"tickets":[{"a":1}],"meta":[}"#,
        ] {
            assert!(bounds(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn hostile_pages_fail_with_a_message() {
        for body in [
            &b"{\"tickets\":[{\"id\":1}"[..],
            b"{\"a\":1,,}",
            b"\xff\xfe",
            b"{} {}",
            b"{\"s\":\"\x01\"}",
        ] {
            assert!(PageScan::scan(body).is_err(), "{body:?}");
        }
        // Nesting as deep as serde_json's `Value` allows is accepted, one more is not,
        // in the items and elsewhere; far deeper fails without exhausting the stack.
        for depth in (120..132).chain([100_000]) {
            for key in ["a", "meta", "links"] {
                let page = format!("{{\"{key}\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
                let by_value = serde_json::from_str::<serde_json::Value>(&page).is_ok();
                assert_eq!(
                    PageScan::scan(page.as_bytes()).is_ok(),
                    by_value,
                    "{key} {depth}"
                );
                for checking in [Checking::Structure, Checking::Bounds] {
                    assert_eq!(
                        PageScan::scan_with(page.as_bytes(), checking).is_ok(),
                        by_value,
                        "{key} {depth} {checking:?}"
                    );
                }
                let page = format!(
                    "{{\"{key}\":[{}1{}]}}",
                    "{\"x\":".repeat(depth),
                    "}".repeat(depth)
                );
                let by_value = serde_json::from_str::<serde_json::Value>(&page).is_ok();
                assert_eq!(
                    PageScan::scan(page.as_bytes()).is_ok(),
                    by_value,
                    "{key} {depth}"
                );
                for checking in [Checking::Structure, Checking::Bounds] {
                    assert_eq!(
                        PageScan::scan_with(page.as_bytes(), checking).is_ok(),
                        by_value,
                        "{key} {depth} {checking:?}"
                    );
                }
            }
        }
        // 127 levels in all (the page's object included) pass, 128 do not.
        for (arrays, passes) in [(126, true), (127, false)] {
            let page = format!("{{\"a\":{}{}}}", "[".repeat(arrays), "]".repeat(arrays));
            for checking in [Checking::Full, Checking::Structure, Checking::Bounds] {
                let scanned = PageScan::scan_with(page.as_bytes(), checking);
                assert_eq!(scanned.is_ok(), passes, "{arrays} {checking:?}");
            }
        }
        let fine = format!("{{\"a\":[{}\"[[[\"{}]}}", "[".repeat(124), "]".repeat(124));
        let scan = PageScan::scan(fine.as_bytes()).unwrap();
        assert_eq!(scan.array("a").flatten().map(<[_]>::len), Some(1));
        assert!(serde_json::from_str::<serde_json::Value>(&fine).is_ok());
    }
}
