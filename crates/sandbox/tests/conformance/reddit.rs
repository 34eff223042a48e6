//! Reddit installed-app OAuth and API.
