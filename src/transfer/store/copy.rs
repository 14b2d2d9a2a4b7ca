//! PostgreSQL's `COPY … FROM STDIN` in its text format: a table's rows of a whole batch sent as
//! one statement, which is what makes an import run at the database's speed rather than at one
//! round trip per row.
//!
//! Each row remembers which record it came from, so that a row the database refuses (a
//! constraint, a foreign key) is reported by that record's name, as the row-by-row import did.

use sqlx::PgConnection;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// A value as one field of a row in `COPY`'s text format.
pub trait Field {
    fn put(&self, out: &mut Vec<u8>);
}

impl Field for str {
    fn put(&self, out: &mut Vec<u8>) {
        // Backslash, tab, newline and carriage return are the format's own characters.
        for byte in self.bytes() {
            match byte {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(byte),
            }
        }
    }
}

impl Field for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.as_str().put(out);
    }
}

impl Field for Uuid {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            self.hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        );
    }
}

impl Field for i32 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.to_string().as_bytes());
    }
}

impl Field for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.to_string().as_bytes());
    }
}

impl Field for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(if *self { b't' } else { b'f' });
    }
}

impl Field for OffsetDateTime {
    fn put(&self, out: &mut Vec<u8>) {
        // RFC 3339 is ISO 8601, which `timestamptz` reads with its offset.
        match self.format(&Rfc3339) {
            Ok(text) => out.extend_from_slice(text.as_bytes()),
            // Only years outside 0–9999 have no RFC 3339 form; PostgreSQL reads this one too.
            Err(_) => out.extend_from_slice(self.to_string().as_bytes()),
        }
    }
}

impl Field for serde_json::Value {
    fn put(&self, out: &mut Vec<u8>) {
        self.to_string().put(out);
    }
}

impl<T: Field + ?Sized> Field for &T {
    fn put(&self, out: &mut Vec<u8>) {
        (**self).put(out);
    }
}

impl<T: Field> Field for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.put(out),
            None => out.extend_from_slice(b"\\N"),
        }
    }
}

/// The rows of one table waiting to be sent, each with the index of the record it came from.
pub struct Rows {
    statement: &'static str,
    data: Vec<u8>,
    owners: Vec<usize>,
}

impl Rows {
    /// Rows for `statement`, a `COPY table (columns) FROM STDIN`.
    pub fn new(statement: &'static str) -> Self {
        Rows {
            statement,
            data: Vec::new(),
            owners: Vec::new(),
        }
    }

    /// Adds a row of `fields`, in the statement's column order, for record number `owner`.
    pub fn push(&mut self, owner: usize, fields: &[&dyn Field]) {
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.data.push(b'\t');
            }
            field.put(&mut self.data);
        }
        self.data.push(b'\n');
        self.owners.push(owner);
    }

    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// Sends the rows, leaving this empty for the next batch. On a refused row, the error says
    /// which record it came from (its index, for the caller to name).
    pub async fn send(&mut self, conn: &mut PgConnection) -> Result<u64, Refused> {
        if self.owners.is_empty() {
            return Ok(0);
        }
        let sent = async {
            let mut copy = conn.copy_in_raw(self.statement).await?;
            copy.send(self.data.as_slice()).await?;
            copy.finish().await
        }
        .await;
        let owners = std::mem::take(&mut self.owners);
        self.data.clear();
        sent.map_err(|error| Refused {
            owner: refused_line(&error).and_then(|line| owners.get(line - 1).copied()),
            error,
        })
    }
}

/// A `COPY` the database refused, and the record whose row it refused when it says which.
#[derive(Debug)]
pub struct Refused {
    pub owner: Option<usize>,
    pub error: sqlx::Error,
}

/// The line of the input a refused `COPY` names in its context ("COPY article, line 12…").
fn refused_line(error: &sqlx::Error) -> Option<usize> {
    let context = error
        .as_database_error()?
        .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?
        .r#where()?;
    let after = &context[context.find(", line ")? + ", line ".len()..];
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_the_formats_own_characters_and_none_is_null() {
        let mut rows = Rows::new("copy t (a, b, c) from stdin");
        let note: Option<String> = None;
        rows.push(0, &[&"a\\b\tc\nd\re", &note, &Some(7_i64)]);
        rows.push(1, &[&true, &serde_json::json!(["x"]), &"é"]);
        assert_eq!(
            String::from_utf8(rows.data).unwrap(),
            "a\\\\b\\tc\\nd\\re\t\\N\t7\nt\t[\"x\"]\té\n"
        );
        assert_eq!(rows.owners, [0, 1]);
    }

    #[test]
    fn times_are_written_with_their_offset() {
        let mut out = Vec::new();
        time::macros::datetime!(2026-02-27 09:30:00.123456 +01:00).put(&mut out);
        assert_eq!(out, b"2026-02-27T09:30:00.123456+01:00");
    }
}
