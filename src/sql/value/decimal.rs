//! Exact decimals: `mantissa / 10^scale`, with MySQL's rounding and
//! division precision.

use super::*;

/// An exact decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    /// Mantissa.
    pub m: i128,
    /// Number of digits after the decimal point.
    pub s: u32,
}

pub(super) fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Decimal {
    /// The decimal of an integer.
    pub fn from_i64(v: i64) -> Decimal {
        Decimal { m: v as i128, s: 0 }
    }

    /// Parses `[-+]digits[.digits]`.
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (neg, body) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (ip, fp) = match body.split_once('.') {
            Some((a, b)) => (a, b),
            None => (body, ""),
        };
        if ip.is_empty() && fp.is_empty() {
            return None;
        }
        if !ip.bytes().all(|b| b.is_ascii_digit()) || !fp.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut m: i128 = 0;
        for b in ip.bytes().chain(fp.bytes()) {
            m = m.checked_mul(10)?.checked_add((b - b'0') as i128)?;
        }
        let d = Decimal { m: if neg { -m } else { m }, s: fp.len() as u32 };
        if d.s > MAX_SCALE {
            return Some(d.rescale(MAX_SCALE));
        }
        Some(d)
    }

    /// Converts to a double.
    pub fn to_f64(self) -> f64 {
        self.m as f64 / 10f64.powi(self.s as i32)
    }

    /// A decimal approximating `f` with `scale` digits, if representable.
    pub fn from_f64(f: f64, scale: u32) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let m = (f * 10f64.powi(scale as i32)).round();
        if m.abs() >= 1e37 {
            return None;
        }
        Some(Decimal { m: m as i128, s: scale })
    }

    /// Changes the scale, rounding half away from zero.
    pub fn rescale(self, s: u32) -> Decimal {
        match s.cmp(&self.s) {
            Ordering::Equal => self,
            Ordering::Greater => match pow10(s - self.s).and_then(|p| self.m.checked_mul(p)) {
                Some(m) => Decimal { m, s },
                None => self,
            },
            Ordering::Less => {
                let p = pow10(self.s - s).unwrap_or(i128::MAX);
                let q = self.m / p;
                let r = self.m % p;
                let adj = if r.abs() * 2 >= p { self.m.signum() } else { 0 };
                Decimal { m: q + adj, s }
            }
        }
    }

    /// Truncates toward zero to an integer.
    pub fn trunc_i128(self) -> i128 {
        self.m / pow10(self.s).unwrap_or(i128::MAX)
    }

    /// Rounds half away from zero to an integer.
    pub fn round_i128(self) -> i128 {
        self.rescale(0).m
    }

    pub(super) fn align(a: Decimal, b: Decimal) -> Option<(i128, i128, u32)> {
        let s = a.s.max(b.s);
        let am = a.m.checked_mul(pow10(s - a.s)?)?;
        let bm = b.m.checked_mul(pow10(s - b.s)?)?;
        Some((am, bm, s))
    }

    /// Exact sum.
    pub fn checked_add(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, s) = Self::align(a, b)?;
        Some(Decimal { m: x.checked_add(y)?, s })
    }

    /// Exact difference.
    pub fn checked_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, s) = Self::align(a, b)?;
        Some(Decimal { m: x.checked_sub(y)?, s })
    }

    /// Exact product.
    pub fn checked_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        let d = Decimal { m: a.m.checked_mul(b.m)?, s: a.s + b.s };
        Some(if d.s > MAX_SCALE { d.rescale(MAX_SCALE) } else { d })
    }

    /// Quotient with scale `a.s + 4`; None on overflow; caller checks zero.
    pub fn checked_div(a: Decimal, b: Decimal) -> Option<Decimal> {
        let s = (a.s + DIV_PRECISION_INCREMENT).min(MAX_SCALE);
        // a/b = (a.m / 10^a.s) / (b.m / 10^b.s); result mantissa at scale s:
        // a.m * 10^(b.s + s - a.s) / b.m, computed one digit further for rounding.
        let num = a.m.checked_mul(pow10(b.s + s - a.s + 1)?)?;
        let q = num / b.m;
        let adj = if q % 10 >= 5 || q % 10 <= -5 { q.signum() } else { 0 };
        Some(Decimal { m: q / 10 + adj, s })
    }

    /// The quotient as MySQL keeps it for a further operation: truncated
    /// after the digits of whole groups of nine that hold both scales plus
    /// `div_precision_increment` (`2/3` is 0.666666666); None on overflow.
    pub fn wide_div(a: Decimal, b: Decimal) -> Option<Decimal> {
        let s = (a.s + b.s + DIV_PRECISION_INCREMENT).div_ceil(9) * 9;
        if s > MAX_SCALE {
            return None;
        }
        let num = a.m.checked_mul(pow10((b.s + s).checked_sub(a.s)?)?)?;
        Some(Decimal { m: num / b.m, s })
    }

    /// Compares two decimals exactly (falls back to doubles on overflow).
    pub fn compare(a: Decimal, b: Decimal) -> Ordering {
        match Self::align(a, b) {
            Some((x, y, _)) => x.cmp(&y),
            None => a.to_f64().partial_cmp(&b.to_f64()).unwrap_or(Ordering::Equal),
        }
    }

    /// Removes trailing zero digits after the point.
    pub fn normalized(self) -> Decimal {
        let mut d = self;
        while d.s > 0 && d.m % 10 == 0 {
            d.m /= 10;
            d.s -= 1;
        }
        d
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.m < 0;
        let digits = self.m.unsigned_abs().to_string();
        let s = self.s as usize;
        let (ip, fp) = if digits.len() > s {
            (digits[..digits.len() - s].to_string(), digits[digits.len() - s..].to_string())
        } else {
            ("0".to_string(), format!("{}{}", "0".repeat(s - digits.len()), digits))
        };
        if neg && self.m != 0 {
            f.write_str("-")?;
        }
        f.write_str(&ip)?;
        if s > 0 {
            write!(f, ".{fp}")?;
        }
        Ok(())
    }
}
