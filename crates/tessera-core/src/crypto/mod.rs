//! Random tokens, RSA key pairs, JWT issuing and checking, the vault key and its
//! derivation. Uses `model` only; no SQL, no files.

pub mod jwt;
pub mod keys;
pub mod random;
pub mod rsa;
