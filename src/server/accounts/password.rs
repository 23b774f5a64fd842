//! Password hashing with argon2id (the crate's defaults: 19 MiB, two passes), off the async
//! workers and a few at a time, so that a burst of sign-ins cannot take every core or much memory.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use super::secret::random_bytes;

/// Hashes computed at once, at most.
const CONCURRENT_HASHES: usize = 2;

/// A hash of a password nobody has, checked when the user is unknown so that a login for an
/// unknown name takes as long as one for a known name.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$bWl4cGxheS1kZWNveQ$sw1fA3bOvqT6lJ7TzEtDtQ0mdMAntNx6vPz41sMHq1U";

pub struct Passwords {
    permits: Semaphore,
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords { permits: Semaphore::new(CONCURRENT_HASHES) }
    }
}

impl Passwords {
    /// The argon2id hash (PHC string) of `password`, with a fresh random salt.
    pub async fn hash(&self, password: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|_| "shutting down".to_owned())?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| e.to_string())?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Whether `password` matches `hash`; `None` (no such user, or no password) checks a decoy so
    /// that the answer takes the same time, and is false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else { return false };
        tokio::task::spawn_blocking(move || {
            let real = hash.is_some();
            let text = hash.unwrap_or_else(|| DECOY.to_owned());
            let Ok(parsed) = PasswordHash::new(&text) else { return false };
            Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_the_decoy_parses() {
        let p = Passwords::default();
        let h = p.hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(p.verify("correct horse".into(), Some(h.clone())).await);
        assert!(!p.verify("wrong horse".into(), Some(h)).await);
        assert!(PasswordHash::new(DECOY).is_ok());
        assert!(!p.verify("anything".into(), None).await);
    }
}
