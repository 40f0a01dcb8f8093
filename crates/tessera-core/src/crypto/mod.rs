//! Random tokens, RSA key pairs, JWT issuing and checking, the vault key and its
//! derivation, the recovery key. Uses `model` only; no SQL, no files.

pub mod jwt;
pub mod keys;
pub mod random;
pub mod recovery;
pub mod rsa;
