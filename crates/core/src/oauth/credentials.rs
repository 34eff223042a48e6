//! Developer-app credentials per platform: from the configuration (client id from the
//! environment or config.toml, secret from the environment only) or, as set by
//! `outpost credentials set`, from the vault. Never compiled into the binary.

use serde::Serialize;
use ts_rs::TS;

use crate::config::Config;
use crate::error::UserFacing;
use crate::platform::Platform;
use crate::platforms::ClientCredentials;
use crate::vault::{SecretOwner, SecretValue, Vault, VaultError};

const CLIENT_ID: &str = "client_id";
const CLIENT_SECRET: &str = "client_secret";

/// The credentials to use for `platform`, if any.
pub async fn resolve(
    config: &Config,
    vault: &Vault,
    platform: Platform,
) -> Result<Option<ClientCredentials>, VaultError> {
    let pc = config.platform(platform);
    let owner = SecretOwner::Client(platform);
    let client_id = match &pc.client_id {
        Some(id) => Some(id.clone()),
        None => vault
            .get(&owner, CLIENT_ID)
            .await?
            .map(|v| v.expose().to_owned()),
    };
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    let client_secret = match &pc.client_secret {
        Some(s) => Some(s.clone()),
        None => vault.get(&owner, CLIENT_SECRET).await?,
    };
    Ok(Some(ClientCredentials {
        client_id,
        client_secret,
    }))
}

/// Where a platform's developer app comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// `OUTPOST_<PLATFORM>_CLIENT_ID` or config.toml (these win over the vault).
    Configuration,
    /// Stored in the vault (`outpost credentials set`, or the desktop app's Settings).
    Vault,
}

/// Where each platform's developer app comes from, if it has one. Reads no secret, so it
/// needs no key: deciding between sandbox and live mode never asks the OS keyring.
pub async fn sources(
    config: &Config,
    vault: &Vault,
) -> Result<Vec<(Platform, Option<CredentialSource>)>, VaultError> {
    let mut out = Vec::new();
    for platform in Platform::ALL {
        let source = if config.platform(platform).client_id.is_some() {
            Some(CredentialSource::Configuration)
        } else if vault
            .contains(&SecretOwner::Client(platform), CLIENT_ID)
            .await?
        {
            Some(CredentialSource::Vault)
        } else {
            None
        };
        out.push((platform, source));
    }
    Ok(out)
}

/// The platforms with a developer app configured (environment, config.toml or vault).
pub async fn configured(config: &Config, vault: &Vault) -> Result<Vec<Platform>, VaultError> {
    Ok(sources(config, vault)
        .await?
        .into_iter()
        .filter_map(|(p, s)| s.map(|_| p))
        .collect())
}

/// Sandbox mode: no platform has a developer app configured anywhere.
pub async fn sandbox_mode(config: &Config, vault: &Vault) -> Result<bool, VaultError> {
    Ok(configured(config, vault).await?.is_empty())
}

/// Whether the platform's token endpoint takes a client secret. TikTok and Instagram do;
/// a Reddit installed app has none (docs/connecting-accounts.md).
pub fn secret_required(platform: Platform) -> bool {
    !matches!(platform, Platform::Reddit)
}

/// Why a developer app was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The client id is empty, too long, or has spaces or control characters.
    #[error("{platform} client ids are one word of at most 200 characters, as the developer portal shows them", platform = .0.display_name())]
    InvalidClientId(Platform),
    /// The platform needs a secret and none was given.
    #[error("{platform} needs the app's client secret too", platform = .0.display_name())]
    SecretRequired(Platform),
    /// The vault refused.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl UserFacing for CredentialsError {
    fn code(&self) -> &'static str {
        match self {
            CredentialsError::InvalidClientId(_) => "credentials.invalid_client_id",
            CredentialsError::SecretRequired(_) => "credentials.secret_required",
            CredentialsError::Vault(e) => e.code(),
        }
    }
}

/// Check and keep a developer app entered by the creator (the desktop app's Settings):
/// the id trimmed, the secret required where the platform takes one and ignored where it
/// does not.
pub async fn set(
    vault: &Vault,
    platform: Platform,
    client_id: &str,
    client_secret: Option<&SecretValue>,
) -> Result<(), CredentialsError> {
    let id = client_id.trim();
    if id.is_empty()
        || id.chars().count() > 200
        || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CredentialsError::InvalidClientId(platform));
    }
    let secret = client_secret.filter(|s| !s.expose().trim().is_empty());
    if secret_required(platform) && secret.is_none() {
        return Err(CredentialsError::SecretRequired(platform));
    }
    let secret = secret.filter(|_| secret_required(platform));
    store(vault, platform, id, secret).await?;
    Ok(())
}

/// Keep a developer app's credentials in the vault.
pub async fn store(
    vault: &Vault,
    platform: Platform,
    client_id: &str,
    client_secret: Option<&SecretValue>,
) -> Result<(), VaultError> {
    let owner = SecretOwner::Client(platform);
    let id = SecretValue::new(client_id.to_owned());
    let mut fields = vec![(CLIENT_ID, &id, None)];
    if let Some(s) = client_secret {
        fields.push((CLIENT_SECRET, s, None));
    }
    vault.put_all(&owner, &fields).await?;
    if client_secret.is_none() {
        vault.delete(&owner, CLIENT_SECRET).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::clock;
    use crate::config::{ConfigSources, VaultBackendChoice};
    use crate::db::Database;
    use crate::vault::keystore::MemoryKeyStore;
    use crate::vault::passphrase::KdfParams;
    use crate::vault::VaultOptions;

    fn vault(db: &Database, keys: Arc<MemoryKeyStore>) -> Vault {
        Vault::new(
            db.clone(),
            VaultOptions {
                choice: VaultBackendChoice::Auto,
                passphrase: None,
                keystore: keys,
                kdf: KdfParams {
                    m_cost: 1024,
                    t_cost: 1,
                    p_cost: 1,
                },
            },
            clock::system(),
        )
    }

    fn config(dir: &std::path::Path, env: &[(&str, &str)]) -> Config {
        Config::load(&ConfigSources {
            data_dir_flag: Some(dir.to_path_buf()),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<_, _>>(),
        })
        .unwrap()
    }

    #[tokio::test]
    async fn sandbox_until_a_developer_app_is_configured_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("o.db")).await.unwrap();
        let v = vault(&db, Arc::new(MemoryKeyStore::default()));
        let plain = config(dir.path(), &[]);
        assert!(sandbox_mode(&plain, &v).await.unwrap());

        let from_env = config(dir.path(), &[("OUTPOST_TIKTOK_CLIENT_ID", "abc")]);
        assert_eq!(
            configured(&from_env, &v).await.unwrap(),
            vec![Platform::Tiktok]
        );

        store(&v, Platform::Reddit, "reddit-app", None)
            .await
            .unwrap();
        assert_eq!(
            configured(&plain, &v).await.unwrap(),
            vec![Platform::Reddit]
        );
        assert!(!sandbox_mode(&plain, &v).await.unwrap());
    }

    #[tokio::test]
    async fn set_checks_what_the_creator_typed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("o.db")).await.unwrap();
        let v = vault(&db, Arc::new(MemoryKeyStore::default()));
        let secret = SecretValue::new("s3cret".to_owned());
        let blank = SecretValue::new("  ".to_owned());
        for bad in ["", "   ", "two words", "a\tb", &"x".repeat(201)] {
            let e = set(&v, Platform::Tiktok, bad, Some(&secret))
                .await
                .unwrap_err();
            assert_eq!(e.code(), "credentials.invalid_client_id", "{bad:?}");
        }
        for missing in [None, Some(&blank)] {
            let e = set(&v, Platform::Instagram, "ig-app", missing)
                .await
                .unwrap_err();
            assert_eq!(e.code(), "credentials.secret_required");
            assert!(e.to_string().contains("Instagram"), "{e}");
        }
        assert!(sandbox_mode(&config(dir.path(), &[]), &v).await.unwrap());

        set(&v, Platform::Tiktok, "  tt-app \n", Some(&secret))
            .await
            .unwrap();
        // Reddit installed apps have no secret: one given by mistake is not kept.
        set(&v, Platform::Reddit, "rd-app", Some(&secret))
            .await
            .unwrap();
        let c = config(dir.path(), &[("OUTPOST_INSTAGRAM_CLIENT_ID", "from-env")]);
        assert_eq!(
            sources(&c, &v).await.unwrap(),
            vec![
                (Platform::Tiktok, Some(CredentialSource::Vault)),
                (Platform::Instagram, Some(CredentialSource::Configuration)),
                (Platform::Reddit, Some(CredentialSource::Vault)),
            ]
        );
        let tt = resolve(&c, &v, Platform::Tiktok).await.unwrap().unwrap();
        assert_eq!(tt.client_id, "tt-app");
        assert_eq!(tt.client_secret.unwrap().expose(), "s3cret");
        let rd = resolve(&c, &v, Platform::Reddit).await.unwrap().unwrap();
        assert!(rd.client_secret.is_none());
    }

    #[tokio::test]
    async fn deciding_the_mode_needs_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("o.db")).await.unwrap();
        let secret = SecretValue::new("s3cret".to_owned());
        store(
            &vault(&db, Arc::new(MemoryKeyStore::default())),
            Platform::Instagram,
            "ig-app",
            Some(&secret),
        )
        .await
        .unwrap();
        // The key is gone (another keyring): the credentials cannot be read, but they are
        // there, so the app is live and will say the vault is locked when it needs them.
        let locked = vault(&db, Arc::new(MemoryKeyStore::default()));
        let c = config(dir.path(), &[]);
        assert!(resolve(&c, &locked, Platform::Instagram).await.is_err());
        assert_eq!(
            configured(&c, &locked).await.unwrap(),
            vec![Platform::Instagram]
        );
    }
}
