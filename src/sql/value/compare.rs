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
/// Strings compare under the default collation.
pub fn sql_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    sql_cmp_in(Collation::Default, a, b)
}

/// [`sql_cmp`] with two strings compared under `coll`.
pub fn sql_cmp_in(coll: Collation, a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(match (a, b) {
        (Value::Str(x), Value::Str(y)) => coll.cmp(x, y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Date(x), Value::DateTime(y)) => date_to_ts(*x).cmp(y),
        (Value::DateTime(x), Value::Date(y)) => x.cmp(&date_to_ts(*y)),
        (Value::Time(x), Value::Time(y)) => x.cmp(y),
        // a string against a TIME is the time it spells (MySQL)
        (Value::Time(x), Value::Str(s)) => match crate::sql::dates::to_time(b) {
            Some(y) => x.cmp(&y),
            None => collate_cmp(&a.to_string(), s),
        },
        (Value::Str(s), Value::Time(y)) => match crate::sql::dates::to_time(a) {
            Some(x) => x.cmp(y),
            None => collate_cmp(s, &b.to_string()),
        },
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

/// A collation a query names with `COLLATE` (MySQL 8's names). Each
/// compares strings as the sequences of their characters' weights
/// ([`Collation::weight`]); the stricter ones break ties of a looser one
/// (accents, then case) as the Unicode Collation Algorithm's levels do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    /// `utf8mb4_0900_ai_ci` (also `utf8mb4_general_ci`,
    /// `utf8mb4_unicode_ci`): case- and accent-insensitive.
    #[default]
    Default,
    /// `utf8mb4_0900_as_ci`: accent-sensitive, case-insensitive.
    AsCi,
    /// `utf8mb4_0900_as_cs`: accent- and case-sensitive.
    AsCs,
    /// `utf8mb4_bin` and `binary`: by code point, trailing spaces ignored
    /// (PAD SPACE, as MySQL's `utf8mb4_bin`).
    Bin,
}

impl Collation {
    /// The collation of a name (any case), or None for an unknown one.
    pub fn from_name(name: &str) -> Option<Collation> {
        Some(match name.to_ascii_lowercase().as_str() {
            // MariaDB's NO PAD names of the same collations too
            "utf8mb4_0900_ai_ci"
            | "utf8mb4_general_ci"
            | "utf8mb4_unicode_ci"
            | "utf8mb4_unicode_520_ci"
            | "utf8mb4_uca1400_nopad_ai_ci" => Collation::Default,
            "utf8mb4_0900_as_ci" | "utf8mb4_uca1400_nopad_as_ci" => Collation::AsCi,
            "utf8mb4_0900_as_cs" | "utf8mb4_uca1400_nopad_as_cs" => Collation::AsCs,
            "utf8mb4_bin" | "binary" => Collation::Bin,
            _ => return None,
        })
    }

    /// The MySQL 8 name.
    pub fn name(self) -> &'static str {
        match self {
            Collation::Default => "utf8mb4_0900_ai_ci",
            Collation::AsCi => "utf8mb4_0900_as_ci",
            Collation::AsCs => "utf8mb4_0900_as_cs",
            Collation::Bin => "utf8mb4_bin",
        }
    }

    /// The weight of a character for equality: characters are equal under
    /// the collation exactly when their weights are (`LIKE` matches by it).
    pub fn weight(self, c: char) -> char {
        match self {
            Collation::Default => collate_char(c),
            Collation::AsCi => c.to_lowercase().next().unwrap_or(c),
            Collation::AsCs | Collation::Bin => c,
        }
    }

    /// Compares two strings under the collation.
    pub fn cmp(self, a: &str, b: &str) -> Ordering {
        let primary = collate_cmp(a, b);
        match self {
            Collation::Default => primary,
            Collation::Bin => pad_space_cmp(a.as_bytes(), b.as_bytes()),
            // accents after letters, then lower case before upper case
            Collation::AsCi => {
                primary.then_with(|| a.chars().map(|c| self.weight(c)).cmp(b.chars().map(|c| self.weight(c))))
            }
            Collation::AsCs => primary
                .then_with(|| Collation::AsCi.cmp(a, b))
                .then_with(|| a.chars().map(char::is_uppercase).cmp(b.chars().map(char::is_uppercase))),
        }
    }

    /// The key of a string: equal keys exactly when [`Collation::cmp`]
    /// says equal.
    pub fn key(self, s: &str) -> String {
        match self {
            Collation::Default => collate_key(s),
            Collation::AsCi => s.chars().map(|c| self.weight(c)).collect(),
            Collation::AsCs => s.to_string(),
            Collation::Bin => s.trim_end_matches(' ').to_string(),
        }
    }
}

/// Compares UTF-8 bytes (so code points) as if the shorter string were
/// padded with spaces (PAD SPACE).
fn pad_space_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let rest = |r: &[u8]| r.iter().find(|&&c| c != b' ').map_or(Ordering::Equal, |&c| c.cmp(&b' '));
        if a.len() > n {
            rest(&a[n..])
        } else {
            rest(&b[n..]).reverse()
        }
    })
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
    order_cmp_in(keys.into_iter().map(|(a, b, d)| (a, b, d, Collation::Default)))
}

/// [`order_cmp`] with each key's collation: `(a, b, descending, collation)`.
pub fn order_cmp_in<'a>(keys: impl IntoIterator<Item = (&'a Value, &'a Value, bool, Collation)>) -> Ordering {
    for (a, b, desc, coll) in keys {
        let o = sort_cmp_in(coll, a, b);
        if o != Ordering::Equal {
            return if desc { o.reverse() } else { o };
        }
    }
    Ordering::Equal
}

/// Total order used by ORDER BY, GROUP BY and DISTINCT: NULL first, then
/// values by [`sql_cmp_in`] (strings under `coll`).
pub fn sort_cmp_in(coll: Collation, a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => sql_cmp_in(coll, a, b).unwrap_or(Ordering::Equal),
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
    /// A TIME (a span) in microseconds.
    Span(i64),
}

impl Value {
    /// The grouping key of this value.
    pub fn key(&self) -> KeyPart {
        self.key_in(Collation::Default)
    }

    /// The grouping key of this value with strings under `coll`.
    pub fn key_in(&self, coll: Collation) -> KeyPart {
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
            Value::Str(s) => KeyPart::Str(coll.key(s)),
            Value::Date(d) => KeyPart::Time(date_to_ts(*d).0),
            Value::DateTime(t) => KeyPart::Time(t.0),
            Value::Time(t) => KeyPart::Span(*t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collations_compare_by_their_levels() {
        use Collation::*;
        assert_eq!(Default.cmp("Élan", "elan"), Ordering::Equal);
        assert_eq!(AsCi.cmp("Élan", "élan"), Ordering::Equal);
        assert_eq!(AsCi.cmp("elan", "élan"), Ordering::Less);
        assert_eq!(AsCs.cmp("a", "A"), Ordering::Less);
        assert_eq!(AsCs.cmp("A", "b"), Ordering::Less);
        assert_eq!(Bin.cmp("A", "b"), Ordering::Less);
        assert_eq!(Bin.cmp("Z", "a"), Ordering::Less);
        assert_eq!(AsCs.cmp("Z", "a"), Ordering::Greater);
        // utf8mb4_bin pads with spaces: a tab sorts before the padding
        assert_eq!(Bin.cmp("a ", "a"), Ordering::Equal);
        assert_eq!(Bin.cmp("a", "a\t"), Ordering::Greater);
        assert_eq!(Bin.cmp("a\t", "a"), Ordering::Less);
        for c in [Default, AsCi, AsCs, Bin] {
            for (x, y) in [("abc", "ABC"), ("a ", "a"), ("é", "e"), ("x", "y")] {
                assert_eq!(c.key(x) == c.key(y), c.cmp(x, y) == Ordering::Equal, "{c:?} {x:?} {y:?}");
            }
        }
        assert_eq!(Collation::from_name("UTF8MB4_BIN"), Some(Bin));
        assert_eq!(Collation::from_name("latin1_swedish_ci"), None);
    }
}
