//! PDF rendering (to be written).
