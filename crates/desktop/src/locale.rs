//! The web view's language. WebKitGTK derives `navigator.language` from the C library's
//! locale: `C` and `POSIX` become `en-US`, but `C.UTF-8` (the default of many servers,
//! containers and CI images) becomes `"C"`, which `Intl.NumberFormat` refuses with a
//! RangeError, and the UI never mounts. In that one case the app runs with `LC_ALL=C`
//! (text stays UTF-8 in GTK and Rust; only the locale's name changes).

/// The variables that decide the locale's name, in the C library's order.
const VARS: [&str; 3] = ["LC_ALL", "LC_CTYPE", "LANG"];

/// `Some(value)` for `LC_ALL` when the locale would give the web view the language `C`.
pub fn web_locale_fix(var: impl Fn(&str) -> Option<String>) -> Option<&'static str> {
    let name = VARS
        .iter()
        .filter_map(|k| var(k))
        .find(|v| !v.trim().is_empty())?;
    let lang = name.split(['.', '@']).next().unwrap_or("");
    let c_with_suffix = matches!(lang, "C" | "POSIX") && name != lang;
    c_with_suffix.then_some("C")
}

/// Apply the fix. Call first thing in `main`, while single-threaded.
pub fn ensure_web_language() {
    if cfg!(target_os = "linux") {
        if let Some(value) = web_locale_fix(|k| std::env::var(k).ok()) {
            std::env::set_var("LC_ALL", value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_env::env;

    #[test]
    fn c_utf8_is_fixed() {
        assert_eq!(web_locale_fix(env(&[("LANG", "C.UTF-8")])), Some("C"));
        assert_eq!(web_locale_fix(env(&[("LC_ALL", "C.utf8")])), Some("C"));
    }

    #[test]
    fn everything_else_is_left_alone() {
        assert_eq!(web_locale_fix(env(&[])), None);
        assert_eq!(web_locale_fix(env(&[("LANG", "C")])), None);
        assert_eq!(web_locale_fix(env(&[("LANG", "de_DE.UTF-8")])), None);
        assert_eq!(
            web_locale_fix(env(&[("LC_ALL", "en_GB.UTF-8"), ("LANG", "C.UTF-8")])),
            None
        );
    }
}
