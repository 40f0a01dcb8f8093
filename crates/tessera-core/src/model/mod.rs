//! The bottom layer: data and the rules on it, with no I/O. Every layer above may use
//! it; it uses nothing of Tessera's above it.

pub mod audit;
pub mod catalog;
pub mod clock;
pub mod error;
pub mod external;
pub mod introspection;
pub mod leak;
pub mod masking;
pub(crate) mod names;
pub mod password;
pub mod query;
pub mod reference;
pub mod secret;
pub mod shared;
pub mod token;
pub mod token_shape;
pub mod token_view;
pub mod verification;
