//! Secret generation: prefixed random tokens with a checksum, signed JWTs, RSA key pairs.
//! Public functions draw from the OS CSPRNG; the `_with_rng` forms let tests fix the seed.

pub mod jwt;
pub mod random;
pub mod rsa;
