//! Content that Vigie writes itself: the demo newsroom of `vigie serve --demo` ([`demo`]) and
//! the large generated archive of `vigie generate` that the benchmarks read ([`generate`]).
//! Both write through the same store functions as people do.

pub mod demo;
pub mod generate;
