//! Secrets the mediator hands out (tokens, session cookies, authorization codes, chat authkeys):
//! 256 bits from the operating system's generator, and comparing them without an early exit.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;

/// A new random secret: 32 bytes from the OS, URL-safe base64 (43 characters).
pub fn new_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// `N` bytes from the operating system's random generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS generator does not fail on the systems the mediator runs on; if it ever did, going
    // on with predictable secrets would be worse than stopping.
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    bytes
}

/// Whether two secrets are equal, in time that depends only on their lengths.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_compared_whole() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(secrets_equal(&a, &a.clone()));
        assert!(!secrets_equal(&a, &b) && !secrets_equal(&a, &a[..42]));
    }
}
