//! Native file dialogs (`tauri-plugin-dialog`): `pick_file`, `pick_folder`, and
//! `save_text_file` (the CSV export). `None` when the creator cancels.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FilePath};
use tokio::sync::oneshot;

use crate::error::{shell_error, CmdResult};

fn to_path(p: Option<FilePath>) -> Option<PathBuf> {
    p.and_then(|p| p.into_path().ok())
}

async fn answer(rx: oneshot::Receiver<Option<FilePath>>) -> Option<PathBuf> {
    to_path(rx.await.ok().flatten())
}

/// `pick_file`: a video or image to publish.
#[tauri::command]
pub async fn pick_file(app: AppHandle) -> CmdResult<Option<String>> {
    let (tx, rx) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose a video or image to publish")
        .add_filter(
            "Videos and images",
            &["mp4", "mov", "m4v", "webm", "jpg", "jpeg", "png", "gif"],
        )
        .pick_file(move |p| {
            let _ = tx.send(p);
        });
    Ok(answer(rx).await.map(|p| p.display().to_string()))
}

/// `pick_folder`: a folder to watch.
#[tauri::command]
pub async fn pick_folder(app: AppHandle) -> CmdResult<Option<String>> {
    let (tx, rx) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose a folder to watch")
        .pick_folder(move |p| {
            let _ = tx.send(p);
        });
    Ok(answer(rx).await.map(|p| p.display().to_string()))
}

/// `save_text_file`: ask where, write `text` there, return the path.
#[tauri::command]
pub async fn save_text_file(
    app: AppHandle,
    suggested_name: String,
    text: String,
) -> CmdResult<Option<String>> {
    let (tx, rx) = oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(&suggested_name)
        .save_file(move |p| {
            let _ = tx.send(p);
        });
    let Some(path) = answer(rx).await else {
        return Ok(None);
    };
    tokio::fs::write(&path, text).await.map_err(|e| {
        shell_error(
            "files.write",
            format!("could not write {}: {e}", path.display()),
        )
    })?;
    Ok(Some(path.display().to_string()))
}
