//! Domain values that are stored as text columns (`status`, `role`, `lang`, `kind`, `action`):
//! they decode straight from a row, so that no status string travels past the store, and a value
//! the code does not know is an error rather than a silent default.

/// Implements sqlx's `Type`, `Encode` and `Decode` for `$ty` as PostgreSQL `text`, through its
/// `as_str` and `parse` (which returns an `Option`).
macro_rules! text_column {
    ($ty:ty) => {
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $ty {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| {
                    format!("unknown {} {text:?} in the database", stringify!($ty)).into()
                })
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}

text_column!(super::ArticleStatus);
text_column!(super::Role);
text_column!(super::Lang);
text_column!(super::TagKind);
text_column!(super::RevisionKind);
text_column!(super::AuditAction);
text_column!(super::regulation::LegalForm);
text_column!(super::regulation::RegulationStatus);
text_column!(super::regulation::Precision);
text_column!(super::regulation::AiUse);

#[cfg(test)]
mod tests {
    use super::super::{ArticleStatus, Lang, RevisionKind, Role, TagKind};

    /// Every value a column may hold reads back as itself (the macro goes through `as_str`
    /// and `parse`, which must agree).
    #[test]
    fn every_value_parses_back_from_its_stored_text() {
        for s in ArticleStatus::ALL {
            assert_eq!(ArticleStatus::parse(s.as_str()), Some(*s));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.as_str()), Some(*l));
        }
        for k in TagKind::ALL {
            assert_eq!(TagKind::parse(k.as_str()), Some(*k));
        }
        for k in RevisionKind::ALL {
            assert_eq!(RevisionKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(ArticleStatus::parse("scheduled"), None);
    }
}
