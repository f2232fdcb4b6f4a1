//! Bearer tokens the inbox generates: 32 random bytes from the operating system, hex-encoded.

/// A fresh token, or an error when the OS has no randomness to give (never guessed instead).
pub fn generate() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_and_never_repeat() {
        let (a, b) = (super::generate().unwrap(), super::generate().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
