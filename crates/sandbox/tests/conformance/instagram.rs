//! Instagram API with Instagram Login.
