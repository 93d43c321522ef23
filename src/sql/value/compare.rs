//! Comparison and ordering of values (numbers across types, strings by
//! the default collation) and the keys of grouping and hash joins.

use super::*;

fn num_class(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Decimal(_) => 1,
        _ => 2,
    }
}

/// Compares two numeric values.
pub fn cmp_numeric(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ if num_class(a) <= 1 && num_class(b) <= 1 => {
            Decimal::compare(a.to_decimal().unwrap(), b.to_decimal().unwrap())
        }
        _ => {
            let x = a.to_f64().unwrap_or(0.0);
            let y = b.to_f64().unwrap_or(0.0);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

/// SQL comparison with MySQL coercions; None if either side is NULL.
pub fn sql_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(match (a, b) {
        (Value::Str(x), Value::Str(y)) => collate_cmp(x, y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Date(x), Value::DateTime(y)) => date_to_ts(*x).cmp(y),
        (Value::DateTime(x), Value::Date(y)) => x.cmp(&date_to_ts(*y)),
        (Value::Str(s), Value::Date(_) | Value::DateTime(_)) => match Timestamp::parse(s) {
            Some(t) => t.cmp(&time_of(b)),
            None => collate_cmp(s, &b.to_string()),
        },
        (Value::Date(_) | Value::DateTime(_), Value::Str(s)) => match Timestamp::parse(s) {
            Some(t) => time_of(a).cmp(&t),
            None => collate_cmp(&a.to_string(), s),
        },
        _ => cmp_numeric(&a.numeric(), &b.numeric()),
    })
}

/// The collation's weight of one character: strings compare as the
/// sequences of their characters' weights. Like MySQL's default
/// `utf8mb4_0900_ai_ci`, comparison is case-insensitive and
/// accent-insensitive (for the Latin letters with diacritics of Latin-1 and
/// Latin Extended-A), and trailing spaces are significant (NO PAD).
pub fn collate_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let l = c.to_lowercase().next().unwrap_or(c);
    match l {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Compares two strings under the default collation ([`collate_char`]).
pub fn collate_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars().map(collate_char).cmp(b.chars().map(collate_char))
}

/// The collation key of a string: equal keys exactly when [`collate_cmp`]
/// says equal, ordered as it orders (as UTF-8 bytes).
pub fn collate_key(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(collate_char).collect()
}

fn time_of(v: &Value) -> Timestamp {
    match v {
        Value::Date(d) => date_to_ts(*d),
        Value::DateTime(t) => *t,
        _ => Timestamp(0),
    }
}

/// Compares two rows by ORDER BY keys: `(a, b, descending)` for each key,
/// the first key that differs decides ([`sort_cmp`], reversed when
/// descending).
pub fn order_cmp<'a>(keys: impl IntoIterator<Item = (&'a Value, &'a Value, bool)>) -> Ordering {
    for (a, b, desc) in keys {
        let o = sort_cmp(a, b);
        if o != Ordering::Equal {
            return if desc { o.reverse() } else { o };
        }
    }
    Ordering::Equal
}

/// Total order used by ORDER BY, GROUP BY and DISTINCT: NULL first, then
/// values by [`sql_cmp`].
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => sql_cmp(a, b).unwrap_or(Ordering::Equal),
    }
}

/// A hashable key for grouping and hash joins: numerically equal values
/// map to the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPart {
    /// NULL.
    Null,
    /// An integral number.
    Int(i128),
    /// A non-integral number (normalized decimal text or double bits).
    Frac(String),
    /// A string.
    Str(String),
    /// A time in microseconds.
    Time(i64),
}

impl Value {
    /// The grouping key of this value.
    pub fn key(&self) -> KeyPart {
        match self {
            Value::Null => KeyPart::Null,
            Value::Int(i) => KeyPart::Int(*i as i128),
            Value::Decimal(d) => {
                let n = d.normalized();
                if n.s == 0 {
                    KeyPart::Int(n.m)
                } else {
                    KeyPart::Frac(n.to_string())
                }
            }
            Value::Double(f) => {
                if f.fract() == 0.0 && f.abs() < 1e30 {
                    KeyPart::Int(*f as i128)
                } else {
                    match Decimal::from_f64(*f, 15) {
                        Some(d) if d.to_f64() == *f => KeyPart::Frac(d.normalized().to_string()),
                        _ => KeyPart::Frac(format!("{f:e}")),
                    }
                }
            }
            Value::Str(s) => KeyPart::Str(collate_key(s)),
            Value::Date(d) => KeyPart::Time(date_to_ts(*d).0),
            Value::DateTime(t) => KeyPart::Time(t.0),
        }
    }
}
