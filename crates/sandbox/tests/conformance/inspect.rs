//! The inspection and control API.
