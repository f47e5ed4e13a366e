//! Domain layer of Tổ Số: value types that parse (not merely validate) user
//! input, the fixed vocabularies, Vietnamese formatting and the single
//! definition of every reported indicator.

pub mod account;
pub mod allowance;
pub mod enums;
pub mod error;
pub mod format;
pub mod help;
pub mod indicators;
pub mod node;
pub mod text;
pub mod values;

pub use account::*;
pub use allowance::*;
pub use enums::*;
pub use error::*;
pub use format::*;
pub use help::*;
pub use indicators::*;
pub use node::*;
pub use text::*;
pub use values::*;
