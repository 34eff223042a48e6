//! Is there a screen to open a window on? Without one GTK panics during start-up; the app
//! checks first and exits with one clear line instead.

/// The message printed when no display is found (Linux and the BSDs only: macOS and
/// Windows always have one).
pub const NO_DISPLAY: &str = "outpost-desktop: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); start it from a desktop session, or use the `outpost` command (`outpost run`) on a headless machine";

/// `Some(message)` when the environment `var` describes no graphical session.
pub fn missing_display(var: impl Fn(&str) -> Option<String>) -> Option<&'static str> {
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "openbsd",
        target_os = "netbsd"
    )) {
        return None;
    }
    let set = |name: &str| var(name).is_some_and(|v| !v.trim().is_empty());
    if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        None
    } else {
        Some(NO_DISPLAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_env::env;

    #[test]
    #[cfg(target_os = "linux")]
    fn no_display_is_reported_once_and_clearly() {
        assert_eq!(missing_display(env(&[])), Some(NO_DISPLAY));
        assert_eq!(missing_display(env(&[("DISPLAY", "  ")])), Some(NO_DISPLAY));
        assert!(!NO_DISPLAY.contains('\n'));
    }

    #[test]
    fn x11_or_wayland_is_enough() {
        assert_eq!(missing_display(env(&[("DISPLAY", ":99")])), None);
        assert_eq!(
            missing_display(env(&[("WAYLAND_DISPLAY", "wayland-0")])),
            None
        );
    }
}
