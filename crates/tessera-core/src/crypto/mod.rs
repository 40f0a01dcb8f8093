//! Random tokens, RSA key pairs, JWT issuing and checking, the vault key and its
//! derivation, the recovery key, age files. Uses `model` only; no SQL, no files.

pub mod age_file;
pub mod identity;
pub mod jwk;
pub mod jwt;
pub mod keys;
pub mod random;
pub mod recovery;
pub mod rsa;
pub mod shared_record;
