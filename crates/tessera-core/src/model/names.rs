//! The stable names of the core's enums: as stored, typed on the command line and sent
//! over IPC. strum derives them from each enum (`IntoStaticStr`, `Display`, and
//! `VariantArray` for the list of every value); this parses them back the one way
//! every enum shares: any case, `-` or a space for `_`, and the enum's own aliases.

use crate::model::error::{Error, Result};

/// The value of `T` named `text`, or an error on `field` that lists the names.
pub(crate) fn parse<T>(
    text: &str,
    field: &'static str,
    noun: &str,
    aliases: &[(&str, T)],
) -> Result<T>
where
    T: strum::VariantArray + Copy + Into<&'static str>,
{
    let wanted = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    T::VARIANTS
        .iter()
        .copied()
        .find(|&value| {
            let name: &'static str = value.into();
            name.eq_ignore_ascii_case(&wanted)
        })
        .or_else(|| {
            aliases
                .iter()
                .find(|(alias, _)| *alias == wanted)
                .map(|&(_, value)| value)
        })
        .ok_or_else(|| {
            let names: Vec<&'static str> = T::VARIANTS.iter().map(|&value| value.into()).collect();
            let list = match names.split_last() {
                Some((last, [])) => (*last).to_string(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            Error::invalid(
                field,
                format!("'{}' is not {noun}; use {list}", text.trim()),
            )
        })
}

#[cfg(test)]
mod tests {
    use crate::model::query::Sort;
    use crate::model::token::{JwtAlg, Status, TokenKind};

    #[test]
    fn names_read_back_in_any_case_and_with_aliases() {
        for &kind in TokenKind::ALL {
            assert_eq!(
                kind.as_str().to_uppercase().parse::<TokenKind>().ok(),
                Some(kind)
            );
        }
        assert_eq!("pat".parse::<TokenKind>().ok(), Some(TokenKind::Personal));
        assert_eq!(
            "Rotation-Due".parse::<Status>().ok(),
            Some(Status::RotationDue)
        );
        assert_eq!(
            "expiring soon".parse::<Status>().ok(),
            Some(Status::ExpiringSoon)
        );
        assert_eq!("used".parse::<Sort>().ok(), Some(Sort::LastUsed));
        assert_eq!("eddsa".parse::<JwtAlg>().ok(), Some(JwtAlg::EdDsa));
        let err = "nope".parse::<TokenKind>().expect_err("unknown");
        assert!(
            err.to_string().contains(
                "'nope' is not a kind; use workspace, personal, service, rsa, jwt or external"
            ),
            "{err}"
        );
    }
}
