//! Developer-app credentials per platform: from the configuration (client id from the
//! environment or config.toml, secret from the environment only) or, as set by
//! `outpost credentials set`, from the vault. Never compiled into the binary.

use crate::config::Config;
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

/// The platforms with a developer app configured (a client id in the environment,
/// config.toml or the vault). Reads no secret, so it needs no key: deciding between sandbox
/// and live mode never asks the OS keyring.
pub async fn configured(config: &Config, vault: &Vault) -> Result<Vec<Platform>, VaultError> {
    let mut out = Vec::new();
    for platform in Platform::ALL {
        if config.platform(platform).client_id.is_some()
            || vault
                .contains(&SecretOwner::Client(platform), CLIENT_ID)
                .await?
        {
            out.push(platform);
        }
    }
    Ok(out)
}

/// Sandbox mode: no platform has a developer app configured anywhere.
pub async fn sandbox_mode(config: &Config, vault: &Vault) -> Result<bool, VaultError> {
    Ok(configured(config, vault).await?.is_empty())
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
