//! placeholder
use std::sync::Arc;
use axum::Router;
use axum::response::{IntoResponse, Response};
use crate::state::{Shared, State};
/// state
#[derive(Debug, Default)]
pub struct RedditState {}
/// router
pub fn router() -> Router<Arc<Shared>> { Router::new() }
/// seed
pub fn seed(_s: &mut State, _now: i64) {}
/// tick
#[allow(dead_code)]
pub fn tick(_s: &mut State, _now: i64) {}
/// throttled
pub fn throttled() -> Response { axum::http::StatusCode::TOO_MANY_REQUESTS.into_response() }
/// 5xx
pub fn server_error() -> Response { axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response() }
